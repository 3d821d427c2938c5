#!/usr/bin/env node
// The reference for `batch top25` in bench/batch.mjs: the same top-25 query, straight over the
// embedded log's segment files with DuckDB, with none of salesstream's checking or typing.
//   node bench/batch-bare.mjs '<dataDir>/topics/demo.purchases/*/*.ndjson' auto|typed
// auto: read_ndjson with DuckDB's own schema detection (the query a DuckDB user types);
// typed: read_json with the three fields spelled out, DuckDB's fastest way to read them.
// Prints one CSV line per row, then "query_ms=N" on stderr.
import { DuckDBInstance } from '@duckdb/node-api';
import { bareTop25Sql } from './lib/bare-top25.mjs';

const [glob, variant = 'auto'] = process.argv.slice(2);
const files = `'${glob.replaceAll("'", "''")}'`;
const source = variant === 'typed'
  ? `read_json(${files}, format = 'newline_delimited', columns = {'value': 'STRUCT(product_id VARCHAR, quantity BIGINT, total_purchase DOUBLE)'})`
  : `read_ndjson(${files})`;
const connection = await (await DuckDBInstance.create(':memory:')).connect();
const started = performance.now();
const reader = await connection.runAndReadAll(
  bareTop25Sql(source),
);
const ms = performance.now() - started;
for (const row of reader.getRowsJson()) process.stdout.write(row.join(',') + '\n');
process.stderr.write(`query_ms=${ms.toFixed(0)}\n`);
