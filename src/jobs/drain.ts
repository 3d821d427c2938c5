import { appendFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { publishChunk } from '../batch/drain/chunks.js';
import { Encoder, type FinishedMessage } from '../batch/drain/encoder.js';
import type { DrainProgress } from '../batch/drain/progress.js';
import {
  REJECTS_FILE, listChunks, partitionFolder, readState, topicFolder, writeState,
  type ChunkFormat, type DrainState,
} from '../batch/drain/layout.js';
import type { Offsets, PartitionRange, Transport } from '../transport/transport.js';

export interface DrainOptions {
  transport: Transport;
  out: string;
  format: ChunkFormat;
  signal?: AbortSignal;
  onProgress?: (progress: DrainProgress) => void;
  /** Things the user should know that are not errors (a recreated topic, retention gaps). */
  onNotice?: (text: string) => void;
}

export interface DrainSummary {
  topic: string;
  partitions: number;
  /** Records added to the folder this run. */
  records: number;
  /** Records of this run that were not JSON, now in the rejects file. */
  rejected: number;
  /** Every record the folder holds for the topic, after this run. */
  totalRecords: number;
  totalRejected: number;
  seconds: number;
  interrupted: boolean;
  rejectsPath: string;
}

/**
 * Copies a topic, from where the last drain into `out` stopped up to the end offsets present now,
 * into chunk files DuckDB reads. Commits (drain.json) once at the end, or at Ctrl-C with what was
 * read so far, so a drain that dies leaves the folder as the last commit had it.
 */
export async function drainTopic(opts: DrainOptions, topic: string): Promise<DrainSummary> {
  const started = performance.now();
  const ranges = await opts.transport.partitions(topic);
  const folder = topicFolder(opts.out, topic);
  const state = startState(opts, topic, ranges);
  removeUncommitted(opts.out, state);

  const from: Offsets = new Map();
  const until: Offsets = new Map();
  for (const r of ranges) {
    const before = state.partitions[r.partition];
    const drained = before?.next ?? 0;
    if (before && r.start > drained) opts.onNotice?.(`${topic} partition ${r.partition}: offsets ${drained} to ${r.start - 1} were deleted (retention) before they were drained`);
    if (Math.max(drained, r.start) < r.end) {
      from.set(r.partition, Math.max(drained, r.start));
      until.set(r.partition, r.end);
    }
  }
  const total = [...from].reduce((sum, [p, o]) => sum + until.get(p)! - o, 0);

  const encoder = new Encoder(opts.out, topic);
  const next = new Map(from);
  let done = 0;
  let lastReport = 0;
  try {
    for await (const batch of opts.transport.read({ topic, from, until, signal: opts.signal })) {
      await encoder.write(batch);
      next.set(batch[0].partition, batch[batch.length - 1].offset + 1);
      done += batch.length;
      const now = performance.now();
      if (now - lastReport > 100) {
        lastReport = now;
        opts.onProgress?.({ topic, done, total, seconds: (now - started) / 1000 });
      }
    }
    const interrupted = Boolean(opts.signal?.aborted);
    // a finished read reached every end offset, transaction markers and compacted gaps included
    if (!interrupted) for (const [p, end] of until) next.set(p, end);
    const encoded = await encoder.finish();
    await commit(opts, topic, state, encoded, next);
    opts.onProgress?.({ topic, done, total, seconds: (performance.now() - started) / 1000 });
    const sum = (key: 'added' | 'rejected') => encoded.counts.reduce((n, [, c]) => n + c[key], 0);
    return {
      topic,
      partitions: ranges.length,
      records: sum('added'),
      rejected: sum('rejected'),
      totalRecords: Object.values(state.partitions).reduce((s, p) => s + p.records, 0),
      totalRejected: Object.values(state.partitions).reduce((s, p) => s + p.rejected, 0),
      seconds: (performance.now() - started) / 1000,
      interrupted,
      rejectsPath: join(folder, REJECTS_FILE),
    };
  } catch (err) {
    await encoder.abort();
    throw err;
  } finally {
    await encoder.close();
  }
}

/** The state to continue from; a topic that was recreated (ends below what was drained) starts over. */
function startState(opts: DrainOptions, topic: string, ranges: PartitionRange[]): DrainState {
  const folder = topicFolder(opts.out, topic);
  const state = readState(folder);
  if (!state) return { topic, partitions: {} };
  const shrunk = Object.entries(state.partitions).find(([p, s]) => s.next > (ranges.find((r) => r.partition === Number(p))?.end ?? 0));
  if (!shrunk) return state;
  opts.onNotice?.(`${topic} ends below what ${folder} holds (partition ${shrunk[0]}): the topic was recreated, so it is drained again from the beginning`);
  rmSync(folder, { recursive: true, force: true });
  return { topic, partitions: {} };
}

/** Chunks beyond the committed offsets, and temporary files, are what a dead drain left behind. */
function removeUncommitted(out: string, state: DrainState): void {
  const folder = topicFolder(out, state.topic);
  let entries: string[];
  try {
    entries = readdirSync(folder).filter((n) => /^\d+$/.test(n));
  } catch {
    return;
  }
  for (const p of entries) {
    const dir = join(folder, p);
    const next = state.partitions[p]?.next ?? 0;
    for (const c of listChunks(dir)) if (c.end > next) rmSync(join(dir, c.name), { force: true });
    for (const name of readdirSync(dir)) if (name.endsWith('.tmp')) rmSync(join(dir, name), { force: true });
  }
}

async function commit(opts: DrainOptions, topic: string, state: DrainState, encoded: FinishedMessage, next: Offsets): Promise<void> {
  // DuckDB is loaded only to write parquet
  const duckdb = opts.format === 'parquet' ? await import('../batch/duckdb.js') : undefined;
  const connection = await duckdb?.openDuckDB();
  const toParquet = (from: string, to: string) => duckdb!.ndjsonToParquet(connection!, from, to);
  try {
    for (const [partition, chunks] of encoded.chunks) {
      for (const chunk of chunks) await publishChunk(chunk, partitionFolder(opts.out, topic, partition), opts.format, toParquet);
    }
  } finally {
    connection?.closeSync();
  }
  mkdirSync(topicFolder(opts.out, topic), { recursive: true });
  // rejects go in before the commit: a crash in between repeats them at the next drain rather than lose them
  if (encoded.rejects.length) appendFileSync(join(topicFolder(opts.out, topic), REJECTS_FILE), encoded.rejects.join(''));
  const counts = new Map(encoded.counts);
  for (const [p, offset] of next) {
    const before = state.partitions[p] ?? { next: 0, records: 0, rejected: 0 };
    const count = counts.get(p) ?? { added: 0, rejected: 0 };
    state.partitions[p] = { next: offset, records: before.records + count.added, rejected: before.rejected + count.rejected };
  }
  writeState(topicFolder(opts.out, topic), state);
}
