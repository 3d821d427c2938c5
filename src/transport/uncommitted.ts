import type { CommitUnit, ExactlyOnceHandlers, ExactlyOnceLoop } from './exactly-once.js';
import type { Offsets, Transport, Writer } from './transport.js';

/**
 * The processing loop of a job without a group: it owns every partition from the given
 * offsets, writes each unit's outputs and keeps nothing else, so a restart starts over.
 */
export class UncommittedLoop implements ExactlyOnceLoop {
  readonly description = 'no group: nothing is committed';
  private readonly reading = new AbortController();
  private writer?: Writer;
  private stopped?: () => void;

  constructor(private readonly transport: Transport, private readonly source: string, private readonly from: Offsets) {}

  async run(handlers: ExactlyOnceHandlers): Promise<void> {
    for (const [partition, next] of this.from) handlers.assigned({ partition, next, committed: false, state: new Map() });
    const stopped = new Promise<void>((resolve) => (this.stopped = resolve));
    for await (const batch of this.transport.read({ topic: this.source, from: this.from, signal: this.reading.signal })) {
      await handlers.records(batch);
      // let triggers and Ctrl-C in between batches of a backlog
      await new Promise((resolve) => setImmediate(resolve));
    }
    await stopped;
  }

  async commit(unit: CommitUnit): Promise<boolean> {
    for (const { topic, records } of unit.outputs) {
      if (records.length === 0) continue;
      this.writer ??= await this.transport.writer();
      await this.writer.send(topic, records);
    }
    return true;
  }

  async caughtUp(): Promise<boolean> {
    return false;
  }

  async pause(): Promise<void> {
    this.reading.abort();
  }

  async stop(): Promise<void> {
    this.reading.abort();
    await this.writer?.close();
    this.writer = undefined;
    this.stopped?.();
  }
}
