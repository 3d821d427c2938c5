// A drained folder: <out>/<topic>/<partition>/<start>-<end>.ndjson|parquet chunks, a drain.json
// beside them with each partition's next offset, and rejects.ndjson for records that are not JSON.
// A chunk counts only once drain.json's next offset covers it: a drain that died before its commit
// leaves chunks beyond `next`, which readers ignore and the next drain deletes.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirectoryDurable, writeFileAtomic } from '../../fs/durable-file.js';
import type { PartitionPosition } from './incremental.js';

export type ChunkFormat = 'ndjson' | 'parquet';

/** `next`: the next offset to drain; everything below it is in committed chunks or rejects. */
export interface PartitionState extends PartitionPosition {
  /** Records written to chunks. */
  records: number;
  /** Records kept out of the chunks because their value is not JSON. */
  rejected: number;
}

export interface DrainState {
  topic: string;
  partitions: Record<string, PartitionState>;
}

export interface Chunk {
  name: string;
  start: number;
  end: number;
  format: ChunkFormat;
}

export const STATE_FILE = 'drain.json';
export const REJECTS_FILE = 'rejects.ndjson';
const CHUNK = /^(\d{20})-(\d{20})\.(ndjson|parquet)$/;

export function topicFolder(out: string, topic: string): string {
  return join(out, topic);
}

export function partitionFolder(out: string, topic: string, partition: number): string {
  return join(out, topic, String(partition));
}

const pad = (n: number) => String(n).padStart(20, '0');

/** Names sort by offset, and say which offsets a chunk holds: [start, end). */
export function chunkName(start: number, end: number, format: ChunkFormat): string {
  return `${pad(start)}-${pad(end)}.${format}`;
}

export function parseChunkName(name: string): Chunk | undefined {
  const m = CHUNK.exec(name);
  return m ? { name, start: Number(m[1]), end: Number(m[2]), format: m[3] as ChunkFormat } : undefined;
}

/** Every chunk file of a partition folder, committed or not, by start offset. */
export function listChunks(folder: string): Chunk[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  return names.flatMap((n) => parseChunkName(n) ?? []).sort((a, b) => a.start - b.start);
}

export function readState(folder: string): DrainState | undefined {
  try {
    return JSON.parse(readFileSync(join(folder, STATE_FILE), 'utf8')) as DrainState;
  } catch {
    return undefined;
  }
}

/** Replaces drain.json at once and durably (synced): this is the commit of a drain. */
export function writeState(folder: string, state: DrainState): void {
  makeDirectoryDurable(folder);
  writeFileAtomic(join(folder, STATE_FILE), JSON.stringify(state, null, 1) + '\n');
}
