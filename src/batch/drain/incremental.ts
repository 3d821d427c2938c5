// Reading only what is new in a topic since a stored position (drain, and the cache batch keeps of
// Kafka topics; serve's live tables will do the same). A position is only worth resuming from if
// the topic is still the one it was taken from: a topic deleted and re-created (or truncated by a
// crash) can hold other records at the same offsets. Kafka's topic id would tell, but kafkajs
// speaks Metadata v6, which has none; so each position carries an anchor, the fingerprint of the
// last record read, and every incremental read starts at that record to check it is still there.
import { createHash } from 'node:crypto';
import type { LogRecord, Offsets, PartitionRange, Transport } from '../../transport/transport.js';

/** The last record read from a partition, by offset and content. */
export interface Anchor {
  offset: number;
  fingerprint: string;
}

export interface PartitionPosition {
  /** The next offset to read: everything below it has been read. */
  next: number;
  /** The partition's first offset when last read; it never goes down in the same topic. */
  start?: number;
  anchor?: Anchor;
}

export type Positions = Record<string, PartitionPosition>;

/** The topic is not the one the positions were taken from: start over from the beginning. */
export class TopicChanged extends Error {}

export function fingerprint(r: LogRecord): string {
  return createHash('sha256').update(JSON.stringify([r.timestamp, r.key, r.value])).digest('base64url').slice(0, 22);
}

/** Why the topic as it stands (its ranges) cannot continue from `positions`; undefined when it can. */
export function changedSince(positions: Positions, ranges: PartitionRange[]): string | undefined {
  for (const [p, pos] of Object.entries(positions)) {
    const range = ranges.find((r) => r.partition === Number(p));
    if (!range) return `partition ${p} is gone`;
    if (pos.next > range.end) return `partition ${p} ends at offset ${range.end}, below the ${pos.next} already read`;
    if (pos.start !== undefined && range.start < pos.start) return `partition ${p} starts at offset ${range.start}, below the ${pos.start} it started at`;
  }
  return undefined;
}

/**
 * One incremental read: plan it with `IncrementalRead.plan`, iterate `records()` (new records only,
 * oldest first per partition), then take `positions()` to store. Throws TopicChanged, from plan
 * or while reading, when the topic is not the one the positions came from.
 */
export class IncrementalRead {
  /** Records between the positions and the end offsets present at plan time. */
  readonly total: number;
  /** Per partition, records deleted (retention) before they could be read: [first, last] offsets. */
  readonly gaps: [partition: number, first: number, last: number][] = [];
  private readonly from: Offsets = new Map();
  private readonly until: Offsets = new Map();
  private readonly next: Offsets = new Map();
  private readonly unchecked = new Map<number, Anchor>();
  private readonly last = new Map<number, LogRecord>();
  private finished = false;

  private constructor(
    private readonly transport: Transport,
    readonly topic: string,
    private readonly before: Positions,
    readonly ranges: PartitionRange[],
  ) {
    let total = 0;
    for (const r of ranges) {
      const pos = before[r.partition];
      const next = Math.max(pos?.next ?? 0, r.start);
      if (pos && r.start > pos.next) this.gaps.push([r.partition, pos.next, r.start - 1]);
      this.next.set(r.partition, next);
      // the anchor is re-read to check it; one deleted by retention cannot be, nor need be
      const anchor = pos?.anchor && pos.anchor.offset >= r.start ? pos.anchor : undefined;
      if (anchor) this.unchecked.set(r.partition, anchor);
      const from = anchor ? anchor.offset : next;
      if (from < r.end) {
        this.from.set(r.partition, from);
        this.until.set(r.partition, r.end);
        total += r.end - next;
      }
    }
    this.total = total;
  }

  static async plan(transport: Transport, topic: string, positions: Positions): Promise<IncrementalRead> {
    const ranges = await transport.partitions(topic);
    const changed = changedSince(positions, ranges);
    if (changed) throw new TopicChanged(`${topic} is not the topic read before (${changed})`);
    return new IncrementalRead(transport, topic, positions, ranges);
  }

  /** The new records, in the transport's batches; ends at the end offsets present at plan time. */
  async *records(signal?: AbortSignal): AsyncIterable<LogRecord[]> {
    for await (const batch of this.transport.read({ topic: this.topic, from: this.from, until: this.until, signal })) {
      const partition = batch[0].partition;
      const anchor = this.unchecked.get(partition);
      if (anchor) {
        this.unchecked.delete(partition);
        // a compacted-away anchor cannot be checked: only a record at its offset can disagree
        if (batch[0].offset === anchor.offset && fingerprint(batch[0]) !== anchor.fingerprint) {
          throw new TopicChanged(`${this.topic} is not the topic read before (partition ${partition} holds another record at offset ${anchor.offset})`);
        }
      }
      const next = this.next.get(partition)!;
      const fresh = batch[0].offset >= next ? batch : batch.filter((r) => r.offset >= next);
      if (fresh.length === 0) continue;
      this.last.set(partition, fresh[fresh.length - 1]);
      this.next.set(partition, fresh[fresh.length - 1].offset + 1);
      yield fresh;
    }
    // a finished read reached every end offset, transaction markers and compacted gaps included
    if (!signal?.aborted) {
      for (const [p, end] of this.until) this.next.set(p, end);
      this.finished = true;
    }
  }

  /** True once `records()` read up to every end offset (not cut short). */
  get complete(): boolean {
    return this.finished;
  }

  /** The positions to store after this read: where the next read starts, with their anchors. */
  positions(): Positions {
    const after: Positions = {};
    for (const r of this.ranges) {
      const last = this.last.get(r.partition);
      const anchor = last ? { offset: last.offset, fingerprint: fingerprint(last) } : this.before[r.partition]?.anchor;
      after[r.partition] = { next: this.next.get(r.partition)!, start: r.start, ...(anchor ? { anchor } : {}) };
    }
    return after;
  }
}
