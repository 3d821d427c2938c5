// Runs users' queries over the live tables: a few connections to the one DuckDB instance, so
// queries run side by side with each other and with ingestion; each query is one read-only
// statement (batch's sandbox.ts), stopped at its time limit, and reads at most the row cap.
import type { DuckDBConnection, DuckDBInstance, DuckDBType } from '@duckdb/node-api';
import { firstLine } from '../batch/duckdb.js';
import { toResult, type Cell } from '../batch/result.js';
import { prepareReadOnly } from '../batch/sandbox.js';
import { UsageError } from '../errors.js';
import { rollupForm, rollupTemplates, type RollupTemplates } from './rollup.js';

export interface QueryLimits {
  /** Interrupt the query after this long. */
  timeoutMs: number;
  /** Return at most this many rows (the rest is not read). */
  maxRows: number;
}

export interface QueryAnswer {
  columns: { name: string; type: DuckDBType }[];
  rows: Cell[][];
  /** More rows than maxRows: the result was cut. */
  truncated: boolean;
}

/** Why a query got no answer: the Pinot layer maps each to Pinot's error codes. */
export type QueryFailureKind = 'refused' | 'invalid' | 'timeout' | 'busy' | 'execution';

export class QueryFailure extends Error {
  constructor(readonly kind: QueryFailureKind, message: string) {
    super(message);
  }
}

export class QueryPool {
  private readonly idle: DuckDBConnection[] = [];
  private readonly waiting: ((c: DuckDBConnection) => void)[] = [];
  private closed = false;
  private readonly running = new Set<DuckDBConnection>();
  /**
   * Each text's rollup form (or none), as rewriting costs two calls into DuckDB: the dashboard and
   * Pinot clients send the same few texts again and again. Bounded: emptied when it grows past 256.
   */
  private readonly rollupForms = new Map<string, string | undefined>();

  private constructor(connections: DuckDBConnection[], private readonly maxWaiting: number, private readonly rollup?: RollupTemplates) {
    this.idle.push(...connections);
  }

  /** `rollup`: aggregate queries over purchases that its rollup can answer exactly are answered from it. */
  static async open(instance: DuckDBInstance, size: number, { maxWaiting = 64, rollup = false } = {}): Promise<QueryPool> {
    const connections = await Promise.all(Array.from({ length: size }, () => instance.connect()));
    return new QueryPool(connections, maxWaiting, rollup ? await rollupTemplates(connections[0]) : undefined);
  }

  async run(sql: string, limits: QueryLimits): Promise<QueryAnswer> {
    const connection = await this.acquire();
    // DuckDB drops an interrupt that arrives between two statements, so past the limit it is
    // repeated until the query's statements are over
    let expired = false;
    let repeat: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      expired = true;
      connection.interrupt();
      repeat = setInterval(() => connection.interrupt(), 100);
    }, limits.timeoutMs);
    const stopInterrupting = () => {
      clearTimeout(timer);
      clearInterval(repeat);
    };
    try {
      // an aggregate the purchases rollup answers exactly reads it instead (rollup.ts)
      const fast = this.rollup && await this.rollupFormOf(connection, sql, this.rollup);
      if (fast) {
        try {
          return await execute(connection, fast, limits);
        } catch (err) {
          // anything but the time limit: the query as written answers (or says what is wrong with it)
          if (expired) throw err;
        }
      }
      return await execute(connection, sql, limits);
    } catch (err) {
      if (err instanceof QueryFailure) throw err;
      const message = firstLine(err).replace(/^Failed to extract statements: /, '');
      if (expired && /^INTERRUPT Error/i.test(message)) throw new QueryFailure('timeout', `query ran past the time limit of ${limits.timeoutMs} ms and was stopped`);
      if (err instanceof UsageError) throw new QueryFailure(/^no query given/.test(err.message) ? 'invalid' : 'refused', err.message);
      if (/^Permission Error/i.test(message)) throw new QueryFailure('refused', message);
      throw new QueryFailure(/^(Parser|Binder|Catalog) Error/i.test(message) ? 'invalid' : 'execution', message);
    } finally {
      stopInterrupting();
      this.release(connection);
    }
  }

  private async rollupFormOf(connection: DuckDBConnection, sql: string, templates: RollupTemplates): Promise<string | undefined> {
    if (this.rollupForms.has(sql)) return this.rollupForms.get(sql);
    const form = await rollupForm(connection, sql, templates);
    if (this.rollupForms.size >= 256) this.rollupForms.clear();
    this.rollupForms.set(sql, form);
    return form;
  }

  /** Stops every running query (shutdown). */
  interruptAll(): void {
    this.closed = true;
    for (const c of this.running) c.interrupt();
    for (const w of this.waiting.splice(0)) w(undefined as unknown as DuckDBConnection);
  }

  close(): void {
    this.interruptAll();
    for (const c of this.idle.splice(0)) c.closeSync();
  }

  private acquire(): Promise<DuckDBConnection> {
    if (this.closed) return Promise.reject(new QueryFailure('busy', 'the server is shutting down'));
    const connection = this.idle.pop();
    if (connection) {
      this.running.add(connection);
      return Promise.resolve(connection);
    }
    if (this.waiting.length >= this.maxWaiting) {
      return Promise.reject(new QueryFailure('busy', `too many queries at once (${this.running.size} running, ${this.waiting.length} waiting)`));
    }
    return new Promise((resolve, reject) => this.waiting.push((c) => {
      if (!c) return reject(new QueryFailure('busy', 'the server is shutting down'));
      this.running.add(c);
      resolve(c);
    }));
  }

  private release(connection: DuckDBConnection): void {
    this.running.delete(connection);
    const next = this.waiting.shift();
    if (next) next(connection);
    else if (this.closed) connection.closeSync();
    else this.idle.push(connection);
  }
}

/** One query, in batch's sandbox: exactly one statement (prepared once: checked and run), or a UsageError saying why not. */
async function execute(connection: DuckDBConnection, sql: string, limits: QueryLimits): Promise<QueryAnswer> {
  const prepared = await prepareReadOnly(connection, sql);
  try {
    // as batch sql: a transaction always rolled back, whatever the statement did
    await connection.run('BEGIN TRANSACTION');
    try {
      const reader = await prepared.streamAndReadUntil(limits.maxRows + 1);
      const result = toResult(reader);
      return {
        columns: result.columns.map((c, i) => ({ name: c.name, type: reader.columnTypes()[i] })),
        rows: result.rows.slice(0, limits.maxRows),
        truncated: result.rows.length > limits.maxRows,
      };
    } finally {
      await connection.run('ROLLBACK').catch(() => undefined);
    }
  } finally {
    prepared.destroySync();
  }
}
