// What batch says about a topic's bad records, as the stream processors do: malformed records by
// topic[partition]@offset, damaged lines by their place in the file. Runs only after a load
// counted invalid records.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TopicFiles } from './files.js';
import { rawRelation } from './relation.js';
import { invalidPositionsSelect, schemaForColumns, type ViewSchema } from './schema.js';
import { describeDamage, type DamagedLine } from '../transport/embedded/cursor.js';
import { unreadableLines } from './unreadable.js';

/** As many positions as the stream processors show per trigger (stream-reports.ts). */
export const SHOWN = 20;

export interface BadRecords {
  /** Malformed records (rejects of a drain not included). */
  malformed: number;
  /** The first SHOWN malformed records, as topic[partition]@offset. */
  shown: string[];
  damaged: DamagedLine[];
}

/**
 * Sorts a load's `invalid` rows: records DuckDB checked and refused, and lines it could not read
 * at all, which unreadable.ts reads again to tell damaged lines from malformed records.
 */
export async function badRecords(connection: DuckDBConnection, schema: ViewSchema, files: TopicFiles, invalid: number): Promise<BadRecords> {
  const checked = schemaForColumns(schema, []);
  const rows = (await connection.runAndReadAll(invalidPositionsSelect(checked, rawRelation(checked, files.partitions, true), SHOWN))).getRows();
  const offsets: [number, number][] = [];
  const damaged: DamagedLine[] = [];
  let malformed = invalid;
  for (const [partition, file, offset, lines] of rows) {
    if (offset !== null) {
      offsets.push([Number(partition), Number(offset)]);
      continue;
    }
    // lines DuckDB could not read: only the malformed records among them stay counted
    malformed -= Number(lines);
    const end = files.partitions.find((p) => p.partition === Number(partition))?.end;
    const found = unreadableLines(files.topic, Number(partition), String(file), end);
    damaged.push(...found.damaged);
    malformed += found.malformed.length;
    offsets.push(...found.malformed.map((o): [number, number] => [Number(partition), o]));
  }
  offsets.sort(([p, o], [q, r]) => p - q || o - r);
  return { malformed, shown: offsets.slice(0, SHOWN).map(([p, o]) => `${files.topic}[${p}]@${o}`), damaged };
}

/** The lines batch prints about them (before its count). */
export function badRecordLines(bad: BadRecords): string[] {
  const lines = bad.shown.map((at) => `malformed record ${at}`);
  if (bad.malformed > bad.shown.length) lines.push(`… and ${bad.malformed - bad.shown.length} more malformed records (counted)`);
  return [...lines, ...bad.damaged.map(describeDamage)];
}
