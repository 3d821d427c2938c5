import { closeSync, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const SEGMENT_SUFFIX = '.ndjson';
/** Roll to a new segment past this size, so seeking to an offset scans at most one segment. */
export const SEGMENT_BYTES = 64 * 1024 * 1024;

export function segmentName(baseOffset: number): string {
  return String(baseOffset).padStart(20, '0') + SEGMENT_SUFFIX;
}

/** Base offsets of a partition's segments, ascending. */
export function listSegments(partitionDir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(partitionDir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith(SEGMENT_SUFFIX)).map((n) => Number(n.slice(0, -SEGMENT_SUFFIX.length))).sort((a, b) => a - b);
}

const CHUNK = 1 << 20;

export interface LineChunk {
  lines: string[];
  /** Byte position of each line's start. */
  starts: number[];
  /** Byte position after the last complete line: where the next read begins. */
  next: number;
}

/**
 * Reads the complete lines of a file from byte `start`, about `maxBytes` at a time. Bytes after
 * the last newline (an unfinished line) are never returned.
 */
export function readLines(path: string, start: number, maxBytes = CHUNK): LineChunk {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let want = Math.min(maxBytes, size - start);
    while (want > 0) {
      const buffer = Buffer.allocUnsafe(want);
      const n = readSync(fd, buffer, 0, want, start);
      const last = buffer.lastIndexOf(10, n - 1);
      if (last === -1) {
        if (start + n >= size) break; // only an unfinished line remains
        want = Math.min(want * 2, size - start); // a line longer than the chunk
        continue;
      }
      const lines: string[] = [];
      const starts: number[] = [];
      let lineStart = 0;
      for (let nl = buffer.indexOf(10); nl !== -1 && nl <= last; nl = buffer.indexOf(10, lineStart)) {
        lines.push(buffer.toString('utf8', lineStart, nl));
        starts.push(start + lineStart);
        lineStart = nl + 1;
      }
      return { lines, starts, next: start + last + 1 };
    }
    return { lines: [], starts: [], next: start };
  } finally {
    closeSync(fd);
  }
}

export function partitionDir(topicDir: string, partition: number): string {
  return join(topicDir, String(partition));
}
