import type { LogRecord, ProduceRecord } from '../transport/transport.js';

/** Lines about single records, at most `limit` per kind between two flushes, then a count. */
export class RecordReports {
  private readonly suppressed = new Map<string, number>();
  private readonly shown = new Map<string, number>();

  constructor(private readonly write: (line: string) => void, private readonly limit = 20) {}

  report(kind: string, line: string): void {
    const shown = this.shown.get(kind) ?? 0;
    if (shown < this.limit) {
      this.shown.set(kind, shown + 1);
      this.write(line);
    } else {
      this.suppressed.set(kind, (this.suppressed.get(kind) ?? 0) + 1);
    }
  }

  flush(): void {
    for (const [kind, n] of this.suppressed) if (n > 0) this.write(`… and ${n} more ${kind} records (counted)`);
    this.suppressed.clear();
    this.shown.clear();
  }
}

export const where = (r: LogRecord) => `${r.topic}[${r.partition}]@${r.offset}`;

/** A dead-letter record: the bad value as it came, with where it came from and why it was refused. */
export function deadLetter(r: LogRecord, reason: string): ProduceRecord {
  return { key: r.key, value: JSON.stringify({ topic: r.topic, partition: r.partition, offset: r.offset, reason, value: r.value }), json: true };
}

/** Gives timers and signal handlers a turn between batches of a backlog. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * When the trigger after one due at `due` is due: one period later, as Spark's fixed-interval
 * ProcessingTime trigger (late wake-ups and the trigger's own work do not stretch the period),
 * or at once when that time has passed.
 */
export const nextTriggerAt = (due: number, period: number, now: number) => Math.max(due + period, now);
