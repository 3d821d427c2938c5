// The embedded exactly-once checkpoint file's JSON, written a piece at a time: a commit's
// pending appends hold every output record of the commit (megabytes), and one JSON.stringify of
// the whole would build that text as one string, and its bytes again, in V8's old generation at
// every commit. Written into a reused buffer instead, the file's text is the same JSON.
import type { ByteBuffer } from '../../fs/byte-buffer.js';
import type { ProduceRecord } from '../transport.js';

/**
 * The appends one commit owes the log. They go to offsets `end`, `end`+1, …: after a crash,
 * the records found there from `end` on (a crash mid-append leaves a prefix) are compared one by
 * one with these, and exactly the rest are appended.
 */
export interface PendingAppend {
  topic: string;
  partition: number;
  /** The partition's end before the append. */
  end: number;
  records: ProduceRecord[];
}

/**
 * The input record just before a partition's `next`, as the commit saw it: a log cut short and
 * written again up to past `next` holds other records there, and reading on would skip them.
 */
export interface Mark {
  timestamp: number;
  digest: string;
}

export interface Checkpoint {
  version: 1;
  source: string;
  partitions: Record<string, { next: number; state: Record<string, string>; last?: Mark }>;
  pending: PendingAppend[];
}

/** Writes `checkpoint` into `out` as JSON: JSON.parse of the bytes gives what JSON.stringify's would. */
export function writeCheckpointJson(out: ByteBuffer, checkpoint: Checkpoint): void {
  const { pending, ...rest } = checkpoint;
  const head = JSON.stringify(rest);
  out.write(`${head.slice(0, -1)},"pending":[`);
  pending.forEach((a, n) => {
    out.write(`${n ? ',' : ''}{"topic":${JSON.stringify(a.topic)},"partition":${a.partition},"end":${a.end},"records":[`);
    out.writeEach(a.records.length, (i) => `${i ? ',' : ''}${JSON.stringify(a.records[i])}`);
    out.write(']}');
  });
  out.write(']}');
}
