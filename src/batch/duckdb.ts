// The one place that opens DuckDB (@duckdb/node-api, DESIGN §7).
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { quoteString } from './schema.js';

export async function openDuckDB(): Promise<DuckDBConnection> {
  // json and parquet are built in; nothing is ever fetched or loaded at run time
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', allow_community_extensions: 'false',
  });
  const connection = await instance.connect();
  // row order of a loaded table never matters here (views order explicitly); dropping it lets
  // DuckDB load in parallel without re-sorting
  await connection.run('SET preserve_insertion_order = false');
  return connection;
}

/** DuckDB's message without its caret diagram and hints: the one line a user sees. */
export function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0].trim();
}

/** Rewrites a drained ndjson chunk as parquet: the envelope's columns, the value kept as JSON text. */
export async function ndjsonToParquet(connection: DuckDBConnection, from: string, to: string): Promise<void> {
  const columns = "{'offset': 'BIGINT', 'timestamp': 'BIGINT', 'key': 'VARCHAR', 'value': 'JSON'}";
  await connection.run(
    `COPY (SELECT "offset", "timestamp", "key", "value" FROM read_json(${quoteString(from)}, format = 'newline_delimited', columns = ${columns})) ` +
    `TO ${quoteString(to)} (FORMAT parquet, COMPRESSION zstd)`,
  );
}
