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

function ndjsonSelect(schema: ViewSchema, p: PartitionFiles, withFile: boolean): string {
  const columns = `{'offset': 'BIGINT', 'timestamp': 'BIGINT', 'value': '${valueStruct(schema).replaceAll("'", "''")}'}`;
  // ignore_errors turns a line DuckDB cannot read into a row of NULLs: kept (offset NULL, an invalid
  // record) so none is lost silently; unreadable.ts tells damaged and unfinished lines apart
  const read = `read_json(${list(p.ndjson)}, format = 'newline_delimited', columns = ${columns}, ignore_errors = true${withFile ? ', filename = true' : ''})`;
  const bound = p.end === undefined ? '' : ` WHERE "offset" < ${p.end} OR "offset" IS NULL`;
  const file = withFile ? ', filename AS __file' : '';
  return `SELECT ${p.partition} AS __partition, "offset" AS __offset, "timestamp" AS __ts, value AS v${file} FROM ${read}${bound}`;
}

function parquetSelect(schema: ViewSchema, p: PartitionFiles, withFile: boolean): string {
  const transform = `json_transform(value, ${quoteString(valueTransformSpec(schema))})`;
  const file = withFile ? ', NULL::VARCHAR AS __file' : '';
  return `SELECT ${p.partition} AS __partition, "offset" AS __offset, "timestamp" AS __ts, ${transform} AS v${file} FROM read_parquet(${list(p.parquet)})`;
}

/** One relation over every partition's files, in either format; `withFile` adds each ndjson row's file (__file). */
export function rawRelation(schema: ViewSchema, partitions: PartitionFiles[], withFile = false): string {
  const parts = partitions.flatMap((p) => [
    ...(p.ndjson.length ? [ndjsonSelect(schema, p, withFile)] : []),
    ...(p.parquet.length ? [parquetSelect(schema, p, withFile)] : []),
  ]);
  return parts.length ? parts.join('\nUNION ALL\n') : emptyRaw(schema, withFile);
}
