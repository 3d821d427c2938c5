// SQL for reading a topic's files as rows of (__partition, __offset, __ts, v). Pure.
import { emptyRaw, quoteString, valueStruct, valueTransformSpec, type ViewSchema } from './schema.js';

/** The files of one partition that hold a topic's records. */
export interface PartitionFiles {
  partition: number;
  /** Envelope lines {"offset","timestamp","key","value"}: the embedded log's segments or drained chunks. */
  ndjson: string[];
  /** Drained chunks with columns offset, timestamp, key, value (JSON text). */
  parquet: string[];
  /** Read only offsets below this: the end present when the query started. */
  end?: number;
}

const list = (paths: string[]) => `[${paths.map(quoteString).join(', ')}]`;

function ndjsonSelect(schema: ViewSchema, p: PartitionFiles): string {
  const columns = `{'offset': 'BIGINT', 'timestamp': 'BIGINT', 'value': '${valueStruct(schema).replaceAll("'", "''")}'}`;
  // ignore_errors turns an unfinished last line (a writer mid-append, or a crash) into a row of
  // NULLs, which the offset test drops; every complete envelope line is valid JSON by construction
  const read = `read_json(${list(p.ndjson)}, format = 'newline_delimited', columns = ${columns}, ignore_errors = true)`;
  const bound = p.end === undefined ? '"offset" IS NOT NULL' : `"offset" < ${p.end}`;
  return `SELECT ${p.partition} AS __partition, "offset" AS __offset, "timestamp" AS __ts, value AS v FROM ${read} WHERE ${bound}`;
}

function parquetSelect(schema: ViewSchema, p: PartitionFiles): string {
  const transform = `json_transform(value, ${quoteString(valueTransformSpec(schema))})`;
  return `SELECT ${p.partition} AS __partition, "offset" AS __offset, "timestamp" AS __ts, ${transform} AS v FROM read_parquet(${list(p.parquet)})`;
}

/** One relation over every partition's files, in either format. */
export function rawRelation(schema: ViewSchema, partitions: PartitionFiles[]): string {
  const parts = partitions.flatMap((p) => [
    ...(p.ndjson.length ? [ndjsonSelect(schema, p)] : []),
    ...(p.parquet.length ? [parquetSelect(schema, p)] : []),
  ]);
  return parts.length ? parts.join('\nUNION ALL\n') : emptyRaw(schema);
}
