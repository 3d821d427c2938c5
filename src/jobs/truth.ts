import { closeSync, openSync, writeSync } from 'node:fs';
import type { Topics } from '../config/config.js';
import type { OutRecord } from '../generator/disorder.js';
import { formatTimestamp } from '../model/timestamp.js';
import { createPartitioner } from '../transport/partitioner.js';
import type { ProduceRecord, Transport } from '../transport/transport.js';

/**
 * The ground truth of a generate run (issue 12 item 5): one NDJSON line per labelled purchase,
 * naming it by topic, partition and offset. Partitions are found as the writer finds them —
 * both transports place records with createPartitioner, and this mirrors every record sent, in
 * order, keyless round-robin included — and offsets count on from each partition's end when the
 * run began (the run is the topic's only writer: the embedded log's lock ensures it there).
 *
 * A late record's line carries `stream_time`: the greatest transaction_time among the well-formed
 * records written before it in its partition by this run. With one partition, a stream reader's
 * watermark before the record is stream_time − its delay, which makes its lateness predictable.
 */
export class TruthWriter {
  private readonly partitionFor = createPartitioner();
  /** Per topic: the next offset of each partition. */
  private readonly next = new Map<string, number[]>();
  /** Per purchases partition: the greatest well-formed event time written, µs. */
  private readonly streamTime: number[];

  /** The previous purchase's place: a duplicate is written right after its original. */
  private previous = { partition: 0, offset: 0 };

  private constructor(private readonly fd: number, ends: Map<string, number[]>, topics: Topics) {
    this.next = ends;
    this.streamTime = ends.get(topics.purchases)!.map(() => -Infinity);
  }

  /** `written`: every topic the run writes (the keyless round-robin goes across them all). */
  static async open(path: string, transport: Transport, topics: Topics, written: string[]): Promise<TruthWriter> {
    const ends = new Map<string, number[]>();
    for (const topic of written) {
      ends.set(topic, (await transport.partitions(topic)).sort((a, b) => a.partition - b.partition).map((r) => r.end));
    }
    return new TruthWriter(openSync(path, 'w'), ends, topics);
  }

  /** Records acknowledged on a topic; `outs` (purchases only) are their labels, one per record. */
  sent(topic: string, records: ProduceRecord[], outs?: OutRecord[]): void {
    const next = this.next.get(topic)!;
    let lines = '';
    for (let i = 0; i < records.length; i++) {
      const partition = this.partitionFor(records[i].key, next.length);
      const offset = next[partition]++;
      const out = outs?.[i];
      if (!out) continue;
      if (out.label) lines += JSON.stringify(this.line(topic, partition, offset, out)) + '\n';
      this.previous = { partition, offset };
      if (out.eventTime !== undefined && out.eventTime > this.streamTime[partition]) this.streamTime[partition] = out.eventTime;
    }
    if (lines) writeSync(this.fd, lines);
  }

  private line(topic: string, partition: number, offset: number, out: OutRecord): object {
    const label = out.label!;
    const where = { topic, partition, offset, kind: label.kind };
    if (label.kind === 'late') {
      const streamTime = this.streamTime[partition];
      return {
        ...where, transaction_time: formatTimestamp(out.eventTime!), delay_ms: label.delay / 1000,
        stream_time: streamTime === -Infinity ? null : formatTimestamp(streamTime),
      };
    }
    if (label.kind === 'duplicate') return { ...where, transaction_time: formatTimestamp(out.eventTime!), of: this.previous };
    return label.field === undefined ? { ...where, damage: label.damage } : { ...where, damage: label.damage, field: label.field };
  }

  close(): void {
    closeSync(this.fd);
  }
}
