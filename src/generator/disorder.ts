import type { RandomSource } from './random.js';

// Labelled disorder (issue 12 item 5): purchases delivered late, written twice or damaged, each
// labelled with what was done, so a pipeline's handling of them can be checked exactly.

export type Damage = 'truncated' | 'missing_field' | 'wrong_type' | 'bad_timestamp';
export const DAMAGES: readonly Damage[] = ['truncated', 'missing_field', 'wrong_type', 'bad_timestamp'];

/** What was done to a record (a record without a label is as the simulation made it). */
export type Label =
  /** Delivered `delay` µs after its event time: written after the records of that later time. */
  | { kind: 'late'; delay: number }
  /** A second copy of the record written just before it (an at-least-once producer's retry). */
  | { kind: 'duplicate' }
  | { kind: 'malformed'; damage: Damage; field?: string };

/** A purchase on its way to the topic. */
export interface OutRecord {
  key: string;
  text: string;
  /** Event time, µs; undefined when damaged (no reader can take a time from it). */
  eventTime: number | undefined;
  label?: Label;
}

export interface DisorderOptions {
  lateFraction: number;
  /** µs; a late record's delay is uniform in [1 s, maxDelay] (whole seconds). */
  maxDelay: number;
  duplicateFraction: number;
  malformedFraction: number;
  /** Its own seeded source, apart from the sales draws. */
  random: RandomSource;
}

/** Fractions are drawn in millionths. */
const SCALE = 1_000_000;
/** The fields every reader needs (src/model/purchase.ts); one goes missing or gets the wrong type. */
const REQUIRED = ['transaction_time', 'product_id', 'price', 'quantity', 'total_purchase'] as const;

/**
 * Each purchase, in event-time order, gets at most one treatment — late, duplicated, malformed —
 * by one draw against the fractions. Late ones are held back and released once a later record's
 * event time reaches their due time (event time + delay), so they are written among the records of
 * that time; at the end of a run the ones still held are released in due order.
 */
export class Disorder {
  private readonly late: { due: number; seq: number; record: OutRecord }[] = [];
  private seq = 0;
  private readonly lateBelow: number;
  private readonly duplicateBelow: number;
  private readonly malformedBelow: number;

  constructor(private readonly opts: DisorderOptions) {
    this.lateBelow = Math.round(opts.lateFraction * SCALE);
    this.duplicateBelow = this.lateBelow + Math.round(opts.duplicateFraction * SCALE);
    this.malformedBelow = this.duplicateBelow + Math.round(opts.malformedFraction * SCALE);
  }

  /** One purchase made at event time t: what is written now, in order, goes to `out`. */
  push(key: string, text: string, t: number, out: OutRecord[]): void {
    this.release(t, out);
    const { random } = this.opts;
    const draw = random.int(0, SCALE - 1);
    if (draw < this.lateBelow) {
      const delay = random.int(1, Math.max(1, Math.floor(this.opts.maxDelay / 1_000_000))) * 1_000_000;
      this.hold({ due: t + delay, seq: this.seq++, record: { key, text, eventTime: t, label: { kind: 'late', delay } } });
    } else if (draw < this.duplicateBelow) {
      out.push({ key, text, eventTime: t });
      out.push({ key, text, eventTime: t, label: { kind: 'duplicate' } });
    } else if (draw < this.malformedBelow) {
      out.push(damaged(key, text, random));
    } else {
      out.push({ key, text, eventTime: t });
    }
  }

  /** The held records due by t, in due order. */
  release(t: number, out: OutRecord[]): void {
    while (this.late.length && this.late[0].due <= t) out.push(this.late.shift()!.record);
  }

  /** End of the run: every held record, in due order. */
  drain(out: OutRecord[]): void {
    this.release(Infinity, out);
  }

  get held(): number {
    return this.late.length;
  }

  private hold(entry: { due: number; seq: number; record: OutRecord }): void {
    // few are held at once (a fraction of max-delay's worth of sales): insertion keeps due order
    let i = this.late.length;
    while (i > 0 && this.late[i - 1].due > entry.due) i--;
    this.late.splice(i, 0, entry);
  }
}

/** A purchase damaged as real producers damage records; every one fails src/model/purchase.ts's parse. */
export function damaged(key: string, text: string, random: RandomSource): OutRecord {
  const damage = DAMAGES[random.int(0, DAMAGES.length - 1)];
  if (damage === 'truncated') {
    // cut anywhere before the closing brace: never valid JSON
    return { key, text: text.slice(0, random.int(1, text.length - 2)), eventTime: undefined, label: { kind: 'malformed', damage } };
  }
  const value = JSON.parse(text) as Record<string, unknown>;
  const field = REQUIRED[random.int(0, REQUIRED.length - 1)];
  if (damage === 'missing_field') delete value[field];
  else if (damage === 'wrong_type') value[field] = typeof value[field] === 'string' ? 0 : String(value[field]);
  else value.transaction_time = badTimestamp(String(value.transaction_time), random);
  const label: Label = damage === 'bad_timestamp' ? { kind: 'malformed', damage } : { kind: 'malformed', damage, field };
  return { key, text: JSON.stringify(value), eventTime: undefined, label };
}

/** A timestamp no reader accepts: month 13, hour 25, or words. */
function badTimestamp(time: string, random: RandomSource): string {
  switch (random.int(0, 2)) {
    case 0: return time.slice(0, 5) + '13' + time.slice(7);
    case 1: return time.slice(0, 11) + '25' + time.slice(13);
    default: return 'yesterday at noon';
  }
}
