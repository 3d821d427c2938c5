// One table kept up to date from one topic. Records are appended (DuckDB's appender: no file is
// ever read, the instance has no file access) to a staging table as they arrive, then each flush
// types and checks them with batch's SQL (schema.ts checkedSelect, the rules batch and the stream
// processors share) and moves the valid ones into the table in one statement (one transaction where
// rows also leave the table), so a query sees a flush whole or not at all.
import type { DuckDBAppender, DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { firstLine } from '../batch/duckdb.js';
import { checkedSelect, quoteIdent, quoteString, valueTransformSpec } from '../batch/schema.js';
import { SalesstreamError } from '../errors.js';
import type { LogRecord } from '../transport/transport.js';
import { Rollup } from './rollup.js';
import type { TableSpec } from './tables.js';

export interface TableStatus {
  table: string;
  topic: string;
  /** The topic exists and the table is listed. */
  listed: boolean;
  /** Valid records held now. */
  records: number;
  /** Records read from the topic (valid and malformed). */
  read: number;
  malformed: number;
  /** Valid records dropped to keep within the retention. */
  dropped: number;
  /** Broker time (ms) of the newest record made visible, or null. */
  newest: number | null;
}

export interface Malformed {
  topic: string;
  partition: number;
  offset: number;
}

/** A flush takes at most this many records: appending them blocks the event loop briefly. */
const MAX_FLUSH = 50_000;

/** What a flush needs of a record; the rest (a parsed value, the key) is let go as soon as it is read. */
type Pending = Pick<LogRecord, 'partition' | 'offset' | 'timestamp' | 'value'>;

export class LiveTable {
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private failure: unknown;
  private readonly status: TableStatus;
  /** Per partition, the next offset to read (what is held or being flushed ends there). */
  readonly positions = new Map<number, number>();

  private constructor(
    readonly spec: TableSpec,
    private readonly connection: DuckDBConnection,
    private readonly appender: DuckDBAppender,
    /** The flush's every-time statements, planned once: a small flush costs what its statements cost. */
    private readonly statements: { insert: DuckDBPreparedStatement; truncate: DuckDBPreparedStatement },
    private readonly retention: number,
    /** For purchases: its sums per hour, product and price, kept in each flush's transaction. */
    private readonly rollup: Rollup | undefined,
    private readonly onMalformed: (bad: Malformed[], count: number) => void,
    private readonly onChange: () => void,
  ) {
    this.status = { table: spec.table, topic: spec.topic, listed: false, records: 0, read: 0, malformed: 0, dropped: 0, newest: null };
  }

  /**
   * Creates the staging and the held table (not yet the view: see list()).
   * @param onChange told after each change of what queries see (listed, rows in or out)
   */
  static async create(
    connection: DuckDBConnection, spec: TableSpec, retention: number, onMalformed: (bad: Malformed[], count: number) => void, onChange: () => void,
  ): Promise<LiveTable> {
    const names = tableNames(spec);
    // offsets and times go in as DOUBLE (exact below 2^53): the appender takes a JS number as it is
    await connection.run(`CREATE TABLE ${names.stage} (__partition INTEGER, __offset DOUBLE, __ts DOUBLE, value VARCHAR)`);
    await connection.run(`CREATE TABLE ${names.held} AS SELECT * EXCLUDE (__valid) FROM (${checked(spec, names.stage)}) WHERE false`);
    const appender = await connection.createAppender(names.stageName);
    // with a rollup, a flush's valid records go to a table of their own first, to be both held and summed
    const rollup = spec.rollup ? await Rollup.create(connection, names.held, names.fresh) : undefined;
    const statements = {
      insert: await connection.prepare(`INSERT INTO ${rollup ? names.fresh : names.held} SELECT * EXCLUDE (__valid) FROM (${checked(spec, names.stage)}) WHERE __valid`),
      truncate: await connection.prepare(`TRUNCATE ${names.stage}`),
    };
    return new LiveTable(spec, connection, appender, statements, retention, rollup, onMalformed, onChange);
  }

  get listed(): boolean {
    return this.status.listed;
  }

  /** Defines the table's view (its name in SQL): from now on it is listed and queryable. */
  async list(fallback?: string): Promise<void> {
    const { held } = tableNames(this.spec);
    const columns = this.spec.schema.fields.map((f) => quoteIdent(f.name)).join(', ');
    const own = `SELECT ${columns} FROM ${held}`;
    // products falls back to the catalog while its topic holds nothing valid, as batch's does. The
    // catalog goes in a table, not into the view's text: every query naming a view binds it again,
    // and binding the catalog's rows of literals took longer than running a dashboard query
    let select = own;
    if (fallback) {
      const catalog = quoteIdent(`__fallback_${this.spec.table}`);
      await this.connection.run(`CREATE OR REPLACE TABLE ${catalog} AS ${fallback}`);
      select = `${own} UNION ALL SELECT * FROM ${catalog} WHERE NOT EXISTS (SELECT 1 FROM ${held})`;
    }
    await this.connection.run(`CREATE OR REPLACE VIEW ${quoteIdent(this.spec.table)} AS ${select}`);
    this.status.listed = true;
    this.onChange();
  }

  snapshot(): TableStatus {
    return { ...this.status };
  }

  /** Takes records read from the topic; they become visible at the next flush. */
  add(records: LogRecord[]): void {
    if (this.failure) throw this.failure;
    for (const r of records) {
      this.pending.push({ partition: r.partition, offset: r.offset, timestamp: r.timestamp, value: r.value });
      this.positions.set(r.partition, r.offset + 1);
    }
    this.kick();
  }

  /** Records read but not yet flushed (for back-pressure). */
  get backlog(): number {
    return this.pending.length;
  }

  /** Resolves when what is pending now has been flushed (or failed). */
  async drained(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.failure) throw this.failure;
  }

  private kick(): void {
    if (this.flushing || this.pending.length === 0 || this.failure) return;
    this.flushing = this.flush()
      .catch((err: unknown) => {
        // DuckDB refusing a flush (out of memory) ends serve with one line, not a bug report
        this.failure = new SalesstreamError(`cannot keep the ${this.spec.table} table up to date: ${firstLine(err)}`);
      })
      .finally(() => {
        this.flushing = undefined;
        this.kick();
      });
  }

  private async flush(): Promise<void> {
    const rows = this.pending.length > MAX_FLUSH ? this.pending.splice(0, MAX_FLUSH) : this.pending;
    if (rows === this.pending) this.pending = [];
    for (const r of rows) {
      this.appender.appendInteger(r.partition);
      this.appender.appendDouble(r.offset);
      this.appender.appendDouble(r.timestamp);
      this.appender.appendVarchar(r.value);
      this.appender.endRow();
    }
    this.appender.flushSync();
    const names = tableNames(this.spec);
    const c = this.connection;
    const latest = this.spec.schema.latestPerProduct;
    // one INSERT is atomic by itself; a transaction only where rows also leave the table, so a
    // query never sees two versions of a product nor more than the retention, or where a rollup
    // changes with the table (statements are what a small flush costs: the fewer, the fresher)
    const atomic = latest || !!this.rollup || this.status.records + rows.length > this.retention;
    if (atomic) await c.run('BEGIN TRANSACTION');
    try {
      const inserted = await this.statements.insert.runAndReadAll();
      const valid = Number(inserted.getRows()[0][0]);
      await this.rollup?.takeFresh();
      const invalid = rows.length - valid;
      // checked once more only when some are malformed, for where they are
      const bad = invalid ? await c.runAndReadAll(`SELECT __partition, __offset FROM (${checked(this.spec, names.stage)}) WHERE NOT __valid ORDER BY 1, 2 LIMIT 20`) : undefined;
      let held = this.status.records + valid;
      let dropped = 0;
      if (latest) {
        // a changelog: only the latest valid record per product is the table (batch's rule)
        const deleted = await c.runAndReadAll(`DELETE FROM ${names.held} WHERE (product_id, __ts, __partition, __offset) IN (SELECT (product_id, __ts, __partition, __offset) FROM ${names.held} QUALIFY row_number() OVER (PARTITION BY product_id ORDER BY ${NEWEST_FIRST}) > 1)`);
        held -= Number(deleted.getRows()[0][0]);
      } else if (held > this.retention) {
        // the oldest go, exactly down to the retention: oldest by broker time, then position
        const excess = held - this.retention;
        const leaving = `(__ts, __partition, __offset) <= (SELECT (__ts, __partition, __offset) FROM ${names.held} ORDER BY __ts, __partition, __offset LIMIT 1 OFFSET ${excess - 1})`;
        await this.rollup?.remove(`SELECT * FROM ${names.held} WHERE ${leaving}`);
        const deleted = await c.runAndReadAll(`DELETE FROM ${names.held} WHERE ${leaving}`);
        dropped = Number(deleted.getRows()[0][0]);
        held -= dropped;
      }
      await this.statements.truncate.run();
      if (atomic) await c.run('COMMIT');
      this.status.records = held;
      this.status.read += rows.length;
      this.status.malformed += invalid;
      this.status.dropped += dropped;
      for (const r of rows) if (r.timestamp > (this.status.newest ?? -Infinity)) this.status.newest = r.timestamp;
      // rows leave only when rows come in: no valid record, nothing changed for queries
      if (valid > 0) this.onChange();
      if (bad) this.onMalformed(bad.getRows().map(([p, o]) => ({ topic: this.spec.topic, partition: Number(p), offset: Number(o) })), invalid);
    } catch (err) {
      if (atomic) await c.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** Waits for a running flush, then frees the table's connection. */
  async close(): Promise<void> {
    await this.drained().catch(() => undefined);
    try {
      this.appender.closeSync();
    } catch {
      // closing after a failed flush: nothing left to save
    }
    this.statements.insert.destroySync();
    this.statements.truncate.destroySync();
    this.rollup?.close();
    this.connection.closeSync();
  }
}

/** Batch's order of a changelog's records, newest first (broker time, then position). */
const NEWEST_FIRST = '__ts DESC, __partition DESC, __offset DESC';

function tableNames(spec: TableSpec) {
  const stageName = `__stage_${spec.table}`;
  return { stageName, stage: quoteIdent(stageName), held: quoteIdent(`__held_${spec.table}`), fresh: quoteIdent(`__fresh_${spec.table}`) };
}

/** The staged records typed and checked (batch's SQL), with their position. */
function checked(spec: TableSpec, stage: string): string {
  // text that is not JSON reads as a NULL value, which every schema's required fields refuse
  const raw = `SELECT __partition, CAST(__offset AS BIGINT) AS __offset, CAST(__ts AS BIGINT) AS __ts, CASE WHEN json_valid(value) THEN json_transform(value, ${quoteString(valueTransformSpec(spec.schema))}) END AS v FROM ${stage}`;
  return checkedSelect(spec.schema, raw, spec.schema.fields.map((f) => f.name), true);
}
