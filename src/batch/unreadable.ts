// Lines of a topic's ndjson files that DuckDB's JSON reader cannot read (it gives them as rows of
// NULLs). They are rare, so they are told apart here, in JS, by reading only the files that hold
// them, with the embedded log's own reading rules (envelope.ts), so batch and the streaming
// readers see the same records:
// - a damaged line (not an envelope: garbage bytes, a torn line) is skipped and reported with its
//   place, as every streaming reader does;
// - a record DuckDB refuses but a reader decodes (a lone surrogate, bytes that are not UTF-8) is a
//   malformed record, counted and reported at its offset (purchase.ts refuses it too);
// - an unfinished last line, or a record appended after the snapshot's end, is not read at all.
import { basename } from 'node:path';
import { wellFormed } from '../model/purchase.js';
import type { DamagedLine } from '../transport/embedded/cursor.js';
import { readLines } from '../transport/embedded/files.js';

export interface UnreadableLines {
  damaged: DamagedLine[];
  /** Offsets of records DuckDB could not read: malformed. */
  malformed: number[];
}

const ENVELOPE_OFFSET = /^\{"offset":(\d+),/;

/** Sorts the lines DuckDB could not read in one file of a partition (records at or past `end` are not read). */
export function unreadableLines(topic: string, partition: number, file: string, end: number | undefined): UnreadableLines {
  const found: UnreadableLines = { damaged: [], malformed: [] };
  const segment = basename(file);
  let after: number | undefined;
  for (let at = 0; ;) {
    const chunk = readLines(file, at);
    if (chunk.lines.length === 0) break;
    chunk.lines.forEach((line, i) => {
      if (line === '') return;
      const offset = envelopeOffset(line);
      if (offset === undefined) {
        found.damaged.push({ topic, partition, segment, byte: chunk.starts[i], after });
        return;
      }
      if (end !== undefined && offset >= end) return;
      after = offset;
      if (line.includes('\uFFFD') || (line.includes('\\u') && !wellFormed(JSON.parse(line)))) found.malformed.push(offset);
    });
    at = chunk.next;
  }
  return found;
}

/** The offset of a line that is a whole envelope, else undefined (a damaged line). */
function envelopeOffset(line: string): number | undefined {
  const m = ENVELOPE_OFFSET.exec(line);
  if (!m) return undefined;
  try {
    const e = JSON.parse(line);
    return typeof e === 'object' && e !== null && Number(m[1]) === e.offset && 'value' in e ? e.offset : undefined;
  } catch {
    return undefined;
  }
}
