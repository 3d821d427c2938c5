// serve's star-tree (Pinot's name for records pre-aggregated on ingest): purchases summed per hour,
// product and price, kept beside the purchases table in the same transaction as each flush, so an
// aggregate query that rollup-rewrite.ts can answer from it reads thousands of rows, not millions.
// The SQL of the rollup (live-table.ts runs it), and the rewriting of queries to read it.
import type { DuckDBConnection } from '@duckdb/node-api';
import { HOUR_ALIGNED, ROLLUP_COUNT, ROLLUP_TABLE, rewriteForRollup, TEMPLATE_SQL, templatesOf } from './rollup-rewrite.js';

export const ROLLUP_SETUP = [
  // dimensions under purchases' own names and types (transaction_time is the hour), and the sums
  // of the measures in purchases' types, so every expression over them types as over purchases
  `CREATE TABLE ${ROLLUP_TABLE} (transaction_time TIMESTAMP NOT NULL, product_id VARCHAR NOT NULL, price DECIMAL(18,2) NOT NULL,
    ${ROLLUP_COUNT} BIGINT NOT NULL, quantity BIGINT NOT NULL, total_purchase DECIMAL(18,2) NOT NULL, PRIMARY KEY (transaction_time, product_id, price))`,
  `CREATE MACRO ${HOUR_ALIGNED}(x) AS CASE WHEN CAST(x AS TIMESTAMP) = date_trunc('hour', CAST(x AS TIMESTAMP)) THEN CAST(x AS TIMESTAMP)
    ELSE error('not a whole hour') END`,
];

/**
 * Adds the purchases `rows` selects (sign 1) or takes them away (sign -1, rows leaving the table),
 * then drops the groups left empty.
 */
export function rollupChange(rows: string, sign: 1 | -1): string[] {
  const s = sign === 1 ? '' : '-';
  return [
    `INSERT INTO ${ROLLUP_TABLE} SELECT date_trunc('hour', transaction_time), product_id, price, ${s}count(*), ${s}sum(quantity), ${s}sum(total_purchase)
      FROM (${rows}) GROUP BY ALL
      ON CONFLICT DO UPDATE SET ${ROLLUP_COUNT} = ${ROLLUP_COUNT} + excluded.${ROLLUP_COUNT}, quantity = quantity + excluded.quantity, total_purchase = total_purchase + excluded.total_purchase`,
    ...(sign === -1 ? [`DELETE FROM ${ROLLUP_TABLE} WHERE ${ROLLUP_COUNT} = 0`] : []),
  ];
}

export type RollupTemplates = ReturnType<typeof templatesOf>;

async function serialized(connection: DuckDBConnection, sql: string): Promise<unknown> {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
  // positions in the query text are of no use here, and one of them (an unknown position) is a
  // 64-bit number JSON.parse would round into something DuckDB then refuses
  return JSON.parse(String(reader.getRows()[0][0]), (key, value) => (key === 'query_location' ? undefined : value));
}

/** The rewriter's building blocks, in the running DuckDB's syntax tree format. */
export async function rollupTemplates(connection: DuckDBConnection): Promise<RollupTemplates> {
  return templatesOf(await serialized(connection, TEMPLATE_SQL));
}

/** The query rewritten to read the rollup (rollup-rewrite.ts), or undefined when it cannot be exactly. */
export async function rollupForm(connection: DuckDBConnection, sql: string, templates: RollupTemplates): Promise<string | undefined> {
  const rewritten = rewriteForRollup(await serialized(connection, sql), templates);
  if (!rewritten) return undefined;
  const reader = await connection.runAndReadAll('SELECT json_deserialize_sql($1::JSON)', [JSON.stringify(rewritten)]);
  return String(reader.getRows()[0][0]);
}
