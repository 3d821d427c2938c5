// drain: copies a topic, from where the last drain into a folder stopped up to the end offsets
// present now, into chunk files DuckDB reads (layout.ts). The reading is incremental.ts's; this
// file writes what it reads and commits it.
import { appendFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirectoryDurable, removeStaleTemps, syncDirectory } from '../../fs/durable-file.js';
import type { Transport } from '../../transport/transport.js';
import { publishChunk } from './chunks.js';
import { Encoder, type FinishedMessage } from './encoder.js';
import { IncrementalRead, TopicChanged, type Positions } from './incremental.js';
import type { DrainProgress } from './progress.js';
import {
  REJECTS_FILE, STATE_FILE, listChunks, partitionFolder, readState, topicFolder, writeState,
  type ChunkFormat, type DrainState,
} from './layout.js';

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
 * Drains what is new in `topic` into `opts.out`. Commits (drain.json) once at the end, or at
 * Ctrl-C with what was read so far, so a drain that dies leaves the folder as the last commit had
 * it. A topic that is not the one drained before (deleted and re-created, or truncated) is drained
 * again from the beginning, with a notice.
 */
export async function drainTopic(opts: DrainOptions, topic: string): Promise<DrainSummary> {
  const folder = topicFolder(opts.out, topic);
  try {
    return await drainFrom(opts, topic, readState(folder) ?? { topic, partitions: {} });
  } catch (err) {
    if (!(err instanceof TopicChanged)) throw err;
    opts.onNotice?.(`${err.message}: ${folder} is emptied and the topic drained again from the beginning`);
    rmSync(folder, { recursive: true, force: true });
    return drainFrom(opts, topic, { topic, partitions: {} });
  }
}

async function drainFrom(opts: DrainOptions, topic: string, state: DrainState): Promise<DrainSummary> {
  const started = performance.now();
  const read = await IncrementalRead.plan(opts.transport, topic, state.partitions);
  removeUncommitted(opts.out, state);
  for (const [p, first, last] of read.gaps) {
    opts.onNotice?.(`${topic} partition ${p}: offsets ${first} to ${last} were deleted (retention) before they were drained`);
  }

  const encoder = new Encoder(opts.out, topic);
  let done = 0;
  let lastReport = 0;
  const progress = () => opts.onProgress?.({ topic, done, total: read.total, seconds: (performance.now() - started) / 1000 });
  try {
    for await (const batch of read.records(opts.signal)) {
      await encoder.write(batch);
      done += batch.length;
      if (performance.now() - lastReport > 100) {
        lastReport = performance.now();
        progress();
      }
    }
    const encoded = await encoder.finish();
    await commit(opts, topic, state, encoded, read.positions());
    progress();
    const sum = (key: 'added' | 'rejected') => encoded.counts.reduce((n, [, c]) => n + c[key], 0);
    return {
      topic,
      partitions: read.ranges.length,
      records: sum('added'),
      rejected: sum('rejected'),
      totalRecords: Object.values(state.partitions).reduce((s, p) => s + p.records, 0),
      totalRejected: Object.values(state.partitions).reduce((s, p) => s + p.rejected, 0),
      seconds: (performance.now() - started) / 1000,
      interrupted: !read.complete,
      rejectsPath: join(topicFolder(opts.out, topic), REJECTS_FILE),
    };
  } catch (err) {
    await encoder.abort();
    throw err;
  } finally {
    await encoder.close();
  }
}

/** Chunks beyond the committed offsets, and temporary files, are what a dead drain left behind. */
function removeUncommitted(out: string, state: DrainState): void {
  const folder = topicFolder(out, state.topic);
  removeStaleTemps(join(folder, STATE_FILE));
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

async function commit(opts: DrainOptions, topic: string, state: DrainState, encoded: FinishedMessage, positions: Positions): Promise<void> {
  // DuckDB is loaded only to write parquet
  const duckdb = opts.format === 'parquet' ? await import('../duckdb.js') : undefined;
  const connection = await duckdb?.openDuckDB();
  const toParquet = (from: string, to: string) => duckdb!.ndjsonToParquet(connection!, from, to);
  try {
    for (const [partition, chunks] of encoded.chunks) {
      const folder = partitionFolder(opts.out, topic, partition);
      for (const chunk of chunks) await publishChunk(chunk, folder, opts.format, toParquet);
      // the chunks' names must be on disk before the commit that counts them
      if (chunks.length) syncDirectory(folder);
    }
  } finally {
    connection?.closeSync();
  }
  makeDirectoryDurable(topicFolder(opts.out, topic));
  // rejects go in before the commit: a crash in between repeats them at the next drain rather than lose them
  if (encoded.rejects.length) appendFileSync(join(topicFolder(opts.out, topic), REJECTS_FILE), encoded.rejects.join(''), { flush: true });
  const counts = new Map(encoded.counts);
  for (const [p, position] of Object.entries(positions)) {
    const before = state.partitions[p] ?? { next: 0, records: 0, rejected: 0 };
    const count = counts.get(Number(p)) ?? { added: 0, rejected: 0 };
    state.partitions[p] = { ...position, records: before.records + count.added, rejected: before.rejected + count.rejected };
  }
  writeState(topicFolder(opts.out, topic), state);
}
