// Watermarks (DESIGN §4). Event time in µs; processing time (for idleness) in ms, always passed
// in: nothing here reads a clock.

/** No record seen yet: every window is open. */
export const NO_WATERMARK = -Infinity;

/** One stream's watermark: the largest event time seen, less the allowed delay. */
export class Watermark {
  private current = NO_WATERMARK;

  constructor(readonly delay: number, start = NO_WATERMARK) {
    this.current = start;
  }

  get value(): number {
    return this.current;
  }

  /** Called after a record with event time t has been handled (the record sees the mark before it). */
  advance(t: number): number {
    const candidate = t - this.delay;
    if (candidate > this.current) this.current = candidate;
    return this.current;
  }
}

interface PartitionMark {
  mark: Watermark;
  /** Processing time (ms) of the partition's last record, or of its tracking when none came. */
  lastActive: number;
  finished: boolean;
}

/**
 * Several partitions: the watermark is the minimum of the partitions' watermarks, leaving out a
 * partition idle for `idleTimeout` ms of processing time (it would hold every window open
 * forever) and one that has finished (a bounded read reached its end). When every partition is
 * left out, the largest partition watermark stands, as Flink does. The result never goes back.
 */
export class PartitionWatermarks {
  private readonly partitions = new Map<number, PartitionMark>();
  private combined = NO_WATERMARK;

  constructor(readonly delay: number, readonly idleTimeout: number) {}

  /** Starts holding the watermark back for a partition (from processing time `now`). */
  track(partition: number, now: number): void {
    if (!this.partitions.has(partition)) this.partitions.set(partition, { mark: new Watermark(this.delay), lastActive: now, finished: false });
  }

  /** A bounded read of this partition is done: it stops holding the watermark back. */
  finish(partition: number): void {
    const p = this.partitions.get(partition);
    if (p) p.finished = true;
  }

  untrack(partition: number): void {
    this.partitions.delete(partition);
  }

  /** The watermark as it stands at processing time `now`. */
  current(now: number): number {
    let min = Infinity;
    let max = NO_WATERMARK;
    let active = 0;
    for (const p of this.partitions.values()) {
      const value = p.mark.value;
      if (value > max) max = value;
      if (p.finished || now - p.lastActive >= this.idleTimeout) continue;
      active++;
      if (value < min) min = value;
    }
    const candidate = active > 0 ? min : max;
    if (candidate > this.combined) this.combined = candidate;
    return this.combined;
  }

  /** What a checkpoint keeps: each partition's watermark and the combined one (null = none yet). */
  snapshot(): WatermarksSnapshot {
    return { partitions: [...this.partitions].map(([p, { mark }]) => [p, finite(mark.value)]), combined: finite(this.combined) };
  }

  /** Back to a checkpoint; every partition counts as active from processing time `now`. */
  restore(s: WatermarksSnapshot, now: number): void {
    this.partitions.clear();
    for (const [p, value] of s.partitions) this.partitions.set(p, { mark: new Watermark(this.delay, value ?? NO_WATERMARK), lastActive: now, finished: false });
    this.combined = s.combined ?? NO_WATERMARK;
  }

  /** A record with event time t arrived on a partition at processing time `now`. */
  observe(partition: number, t: number, now: number): void {
    this.track(partition, now);
    const p = this.partitions.get(partition)!;
    p.mark.advance(t);
    p.lastActive = now;
    p.finished = false;
  }
}

export interface WatermarksSnapshot {
  partitions: [partition: number, watermark: number | null][];
  combined: number | null;
}

const finite = (value: number) => (value === NO_WATERMARK ? null : value);
