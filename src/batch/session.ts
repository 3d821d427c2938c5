// A DuckDB session holding the typed views: each topic is read once from its files into a
// checked table, so every query of the command sees the same snapshot and malformed records are
// counted in the same pass that loads the good ones.
import type { DuckDBConnection } from '@duckdb/node-api';
import { badRecordLines, badRecords } from './bad-records.js';
import { openDuckDB } from './duckdb.js';
import type { TopicFiles } from './files.js';
import { rawRelation } from './relation.js';
import { toResult, type Result } from './result.js';
import { runUserQuery } from './sandbox.js';
import { checkedSelect, quoteIdent, schemaForColumns, summarySelect, viewSelect, type Summary, type ViewSchema } from './schema.js';

export interface LoadedView {
  view: string;
  topic: string;
  /** Valid records in the view (before any latest-per-product reduction). */
  records: number;
  /** Records skipped as malformed, rejects of a drain included. */
  malformed: number;
  /** Lines saying where the malformed records and damaged lines are (bad-records.ts). */
  reports: string[];
}

export class BatchSession {
  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(): Promise<BatchSession> {
    return new BatchSession(await openDuckDB());
  }

  /** Reads a topic's files into a checked table and defines its view; a missing topic gives an empty view. */
  async loadView(schema: ViewSchema, topic: string, files: TopicFiles | undefined, columns?: readonly string[]): Promise<LoadedView> {
    const table = quoteIdent(`__${schema.view}`);
    const read = columns ? schemaForColumns(schema, columns) : schema;
    const raw = rawRelation(read, files?.partitions ?? []);
    await this.connection.run(`CREATE OR REPLACE TEMP TABLE ${table} AS ${checkedSelect(read, raw, columns)}`);
    await this.defineView(schema.view, viewSelect(schema, table, columns));
    return this.counted(schema, topic, files, table, 'count(*)');
  }

  /** Reads a topic's files as per-group sums (schema.ts Summary) and defines the summary's view. */
  async loadSummary(schema: ViewSchema, topic: string, files: TopicFiles | undefined, summary: Summary): Promise<LoadedView> {
    const table = quoteIdent(`__${summary.view}`);
    const read = schemaForColumns(schema, summary.columns);
    const raw = rawRelation(read, files?.partitions ?? []);
    await this.connection.run(`CREATE OR REPLACE TEMP TABLE ${table} AS ${summarySelect(read, raw, summary)}`);
    const names = [summary.key, ...Object.keys(summary.aggregates)].map(quoteIdent).join(', ');
    await this.defineView(summary.view, `SELECT ${names} FROM ${table} WHERE __valid`);
    return this.counted(schema, topic, files, table, 'sum(__records)');
  }

  /** The valid and malformed counts of a loaded table (`count` sums its rows' records). */
  private async counted(schema: ViewSchema, topic: string, files: TopicFiles | undefined, table: string, count: string): Promise<LoadedView> {
    const counts = await this.connection.runAndReadAll(`SELECT coalesce(${count} FILTER (WHERE __valid), 0), coalesce(${count} FILTER (WHERE NOT __valid), 0) FROM ${table}`);
    const [valid, invalid] = counts.getRows()[0].map(Number);
    const bad = invalid && files ? await badRecords(this.connection, schema, files, invalid) : undefined;
    const malformed = (bad?.malformed ?? invalid) + (files?.rejected ?? 0);
    return { view: schema.view, topic, records: valid, malformed, reports: bad ? badRecordLines(bad) : [] };
  }

  async defineView(name: string, select: string): Promise<void> {
    await this.connection.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(name)} AS ${select}`);
  }

  async count(view: string): Promise<number> {
    const reader = await this.connection.runAndReadAll(`SELECT count(*) FROM ${quoteIdent(view)}`);
    return Number(reader.getRows()[0][0]);
  }

  /** Runs SQL this program wrote. */
  async query(sql: string): Promise<Result> {
    return toResult(await this.connection.runAndReadAll(sql));
  }

  /**
   * Runs a user's query (sandbox.ts): from the first one on, the session can read no more files,
   * so every view must be loaded before.
   */
  async userQuery(sql: string): Promise<Result> {
    return runUserQuery(this.connection, sql);
  }

  close(): void {
    this.connection.closeSync();
  }
}
