// serve's star-tree (Pinot's name for records pre-aggregated on ingest): purchases summed per hour,
// product and price, kept beside the purchases table in the same transaction as each flush, so an
// aggregate query that rollup-rewrite.ts can answer from it reads thousands of rows, not millions.
// The SQL of the rollup (live-table.ts runs it), and the rewriting of queries to read it.
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { HOUR_ALIGNED, ROLLUP_COUNT, ROLLUP_TABLE, rewriteForRollup, TEMPLATE_SQL, templatesOf } from './rollup-rewrite.js';

export const ROLLUP_SETUP = [
  // dimensions under purchases' own names and types (transaction_time is the hour), and the sums
  // of the measures in purchases' types, so every expression over them types as over purchases.
  // A group may have several rows (each flush appends its own sums; compaction merges them): every
  // rewritten query sums them. No key: an upsert on a keyed table kept old row versions in memory
  // (10M purchases held: 1.6 GB instead of 0.35 GB of table data).
  `CREATE TABLE ${ROLLUP_TABLE} (transaction_time TIMESTAMP NOT NULL, product_id VARCHAR NOT NULL, price DECIMAL(18,2) NOT NULL,
    ${ROLLUP_COUNT} BIGINT NOT NULL, quantity BIGINT NOT NULL, total_purchase DECIMAL(18,2) NOT NULL)`,
  `CREATE MACRO ${HOUR_ALIGNED}(x) AS CASE WHEN CAST(x AS TIMESTAMP) = date_trunc('hour', CAST(x AS TIMESTAMP)) THEN CAST(x AS TIMESTAMP)
    ELSE error('not a whole hour') END`,
];

const sums = (rows: string, sign: '' | '-') => `SELECT date_trunc('hour', transaction_time), product_id, price, ${sign}count(*), ${sign}sum(quantity), ${sign}sum(total_purchase)
  FROM (${rows}) GROUP BY ALL`;

/** Adds the sums of the purchases `rows` selects (a flush's new records); gives the rows it appended. */
function rollupAdd(rows: string): string {
  return `INSERT INTO ${ROLLUP_TABLE} ${sums(rows, '')}`;
}

/** Merges each group's rows into one, dropping groups left with no purchases; `where` limits it to some groups. */
function compaction(where = 'true'): string[] {
  const merged = `${ROLLUP_TABLE}_merged`;
  return [
    `CREATE OR REPLACE TEMP TABLE ${merged} AS SELECT transaction_time, product_id, price, CAST(sum(${ROLLUP_COUNT}) AS BIGINT),
      CAST(sum(quantity) AS BIGINT), CAST(sum(total_purchase) AS DECIMAL(18,2)) FROM ${ROLLUP_TABLE} WHERE ${where} GROUP BY ALL HAVING sum(${ROLLUP_COUNT}) <> 0`,
    `DELETE FROM ${ROLLUP_TABLE} WHERE ${where}`,
    `INSERT INTO ${ROLLUP_TABLE} SELECT * FROM ${merged}`,
    `DROP TABLE ${merged}`,
  ];
}

/** Rows flushes append before a compaction of the whole rollup, at least: amortised, a few per record. */
const COMPACT_AFTER = 50_000;

/**
 * Takes the purchases `rows` selects away (rows leaving the table past the retention): their
 * negative sums, then the groups they touch merged, so no group is left empty but listed.
 */
function rollupRemove(rows: string): string[] {
  const touched = `(transaction_time, product_id, price) IN (SELECT (transaction_time, product_id, price) FROM ${ROLLUP_TABLE} WHERE ${ROLLUP_COUNT} < 0)`;
  return [`INSERT INTO ${ROLLUP_TABLE} ${sums(rows, '-')}`, ...compaction(touched)];
}

/** The rollup of the purchases table, kept by its flushes (live-table.ts), inside their transactions. */
export class Rollup {
  /** Rows appended since the last compaction, and the rows that compaction left. */
  private appended = 0;
  private compacted = 0;

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly statements: { hold: DuckDBPreparedStatement; add: DuckDBPreparedStatement; clear: DuckDBPreparedStatement },
    private readonly compactAfter: number,
  ) {}

  /** The rollup for `held`, fed from `fresh` (created here with held's columns), where each flush puts its valid records. */
  static async create(connection: DuckDBConnection, held: string, fresh: string, compactAfter = COMPACT_AFTER): Promise<Rollup> {
    for (const sql of ROLLUP_SETUP) await connection.run(sql);
    await connection.run(`CREATE TABLE ${fresh} AS SELECT * FROM ${held} WHERE false`);
    return new Rollup(connection, {
      hold: await connection.prepare(`INSERT INTO ${held} SELECT * FROM ${fresh}`),
      add: await connection.prepare(rollupAdd(`SELECT * FROM ${fresh}`)),
      clear: await connection.prepare(`TRUNCATE ${fresh}`),
    }, compactAfter);
  }

  /** Moves the fresh records into the table and their sums into the rollup. */
  async takeFresh(): Promise<void> {
    await this.statements.hold.run();
    this.appended += Number((await this.statements.add.runAndReadAll()).getRows()[0][0]);
    await this.statements.clear.run();
    if (this.appended > Math.max(this.compactAfter, this.compacted)) {
      for (const sql of compaction()) await this.connection.run(sql);
      this.compacted = Number((await this.connection.runAndReadAll(`SELECT count(*) FROM ${ROLLUP_TABLE}`)).getRows()[0][0]);
      this.appended = 0;
    }
  }

  /** Takes away the records `rows` selects, before they leave the table. */
  async remove(rows: string): Promise<void> {
    for (const sql of rollupRemove(rows)) await this.connection.run(sql);
  }

  close(): void {
    for (const statement of Object.values(this.statements)) statement.destroySync();
  }
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
