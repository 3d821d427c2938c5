// Where a topic's records are on disk, for DuckDB to read in place: the embedded log's segments
// or a drained folder's committed chunks.
import { closeSync, existsSync, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { offsetOfLine } from '../transport/embedded/envelope.js';
import { listSegments, partitionDir, segmentName } from '../transport/embedded/files.js';
import { listChunks, partitionFolder, readState, topicFolder } from './drain/layout.js';
import type { PartitionFiles } from './relation.js';

export interface TopicFiles {
  topic: string;
  partitions: PartitionFiles[];
  /** Records already known to be malformed that are not in the files (a drain's rejects). */
  rejected: number;
}

/** An embedded topic's segments; undefined when the topic does not exist. */
export function embeddedTopicFiles(topicDir: string, topic: string): TopicFiles | undefined {
  if (!existsSync(join(topicDir, 'topic.json'))) return undefined;
  const partitions = readdirSync(topicDir).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  return {
    topic,
    rejected: 0,
    partitions: partitions.map((partition) => {
      const dir = partitionDir(topicDir, partition);
      const bases = listSegments(dir);
      const ndjson = bases.map((b) => join(dir, segmentName(b)));
      return { partition, ndjson, parquet: [], end: bases.length ? endOfSegment(ndjson[ndjson.length - 1], bases[bases.length - 1]) : 0 };
    }),
  };
}

const TAIL = 64 * 1024;

/**
 * The offset after the last complete record of a segment, read from its tail only: the partition's
 * end as it stands now, so every view reads one consistent snapshot while a writer appends. A
 * damaged line (no envelope offset) is passed over, as the readers pass over it.
 */
export function endOfSegment(path: string, base: number): number {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    for (let want = Math.min(TAIL, size); want > 0; want = Math.min(want * 4, size)) {
      const buffer = Buffer.allocUnsafe(want);
      const n = readSync(fd, buffer, 0, want, size - want);
      // complete lines only, newest first; the first may be cut by the window unless it starts the file
      const lines = buffer.toString('utf8', 0, buffer.lastIndexOf(10, n - 1) + 1).split('\n').slice(0, -1).reverse();
      if (want < size) lines.pop();
      for (const line of lines) {
        const offset = offsetOfLine(line);
        if (line.startsWith('{"offset":') && Number.isSafeInteger(offset)) return offset + 1;
      }
      if (want === size) return base; // no complete record yet
    }
    return base;
  } finally {
    closeSync(fd);
  }
}

/** A drained topic's committed chunks; undefined when the folder holds no drain of it. */
export function drainedTopicFiles(out: string, topic: string): TopicFiles | undefined {
  const state = readState(topicFolder(out, topic));
  if (!state) return undefined;
  const partitions = Object.entries(state.partitions).map(([p, s]) => {
    const partition = Number(p);
    const folder = partitionFolder(out, topic, partition);
    const chunks = listChunks(folder).filter((c) => c.end <= s.next);
    const paths = (format: string) => chunks.filter((c) => c.format === format).map((c) => join(folder, c.name));
    return { partition, ndjson: paths('ndjson'), parquet: paths('parquet') };
  });
  const rejected = Object.values(state.partitions).reduce((sum, s) => sum + s.rejected, 0);
  return { topic, partitions: partitions.sort((a, b) => a.partition - b.partition), rejected };
}
