// Running a user's SQL (batch sql, and later serve's Pinot SQL) on a DuckDB connection whose data is
// already loaded into tables. Two walls, both needed:
// - lockDown: the instance loses all external access (no file read, listed or written, no ATTACH of
//   a file, no extension installed or loaded) and its configuration is locked, for good;
// - runUserQuery: one statement, a query (SELECT, or EXPLAIN [ANALYZE] of a SELECT: EXPLAIN ANALYZE
//   runs what it explains), inside a transaction that is always rolled back, so even a statement
//   that slipped through would leave the loaded tables as they were.
import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { UsageError } from '../errors.js';
import { firstLine } from './duckdb.js';
import { toResult, type Result } from './result.js';

const locked = new WeakSet<DuckDBConnection>();

/** Cuts the connection's instance off from files, extensions and setting changes. Irreversible. */
export async function lockDown(connection: DuckDBConnection): Promise<void> {
  if (locked.has(connection)) return;
  await connection.run('SET enable_external_access = false');
  await connection.run('SET lock_configuration = true');
  locked.add(connection);
}

/**
 * Runs a user's query on a locked-down connection and returns its rows. Anything DuckDB rejects is
 * the user's to fix, so every failure is one line (UsageError, exit 2).
 */
export async function runUserQuery(connection: DuckDBConnection, sql: string): Promise<Result> {
  await lockDown(connection);
  try {
    // checked and run as one prepared statement: the text is parsed and planned once
    const prepared = await prepareReadOnly(connection, sql);
    try {
      await connection.run('BEGIN TRANSACTION');
      try {
        return toResult(await prepared.runAndReadAll());
      } finally {
        await connection.run('ROLLBACK').catch(() => undefined);
      }
    } finally {
      prepared.destroySync();
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(firstLine(err).replace(/^Failed to extract statements: /, ''));
  }
}

/**
 * The one query the text holds, prepared (not run), or a UsageError saying why it is refused. The
 * caller runs it and destroys it: the check and the run share one parse and plan.
 */
export async function prepareReadOnly(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  const prepared = await prepareOne(connection, sql);
  try {
    const type = prepared.statementType;
    if (type === StatementType.SELECT) return prepared;
    if (type === StatementType.EXPLAIN) {
      // the explained statement must be a query itself; what cannot be cut out cleanly is refused
      for (const inner of explainedTexts(sql)) {
        if (await statementType(connection, inner).catch(() => undefined) === StatementType.SELECT) return prepared;
      }
      throw new UsageError('queries are read-only: EXPLAIN only a SELECT');
    }
    throw new UsageError(`queries are read-only: use SELECT, WITH … SELECT or EXPLAIN SELECT (this is a ${StatementType[type]} statement)`);
  } catch (err) {
    prepared.destroySync();
    throw err;
  }
}

/** The type of the one statement the text holds; prepared, never run. */
async function statementType(connection: DuckDBConnection, sql: string): Promise<StatementType> {
  const prepared = await prepareOne(connection, sql);
  try {
    return prepared.statementType;
  } finally {
    prepared.destroySync();
  }
}

/** The one statement the text holds, prepared; refused when it holds none or several. */
async function prepareOne(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  let statements;
  try {
    statements = await connection.extractStatements(sql);
  } catch (err) {
    // a parse error says so; a text with no statement at all (empty, blank, only comments) gets
    // no message from DuckDB ("Error in native callback")
    if (/^Failed to extract statements: \S/.test(firstLine(err))) throw err;
    throw new UsageError('no query given: the SQL text holds no statement');
  }
  if (statements.count !== 1) throw new UsageError(`one query at a time: this text holds ${statements.count} statements`);
  return statements.prepare(0);
}

/** Comments, blanks and the keywords that open an EXPLAIN: EXPLAIN [ANALYZE|ANALYSE] [VERBOSE]. */
const SKIP = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;
const EXPLAIN = /^explain\b/i;
const ANALYZE = /^(?:analy[sz]e|verbose)\b/i;

/**
 * The text an EXPLAIN statement explains, in the readings its syntax allows: with and without a
 * leading "(option, …)" list. Only used to refuse: a reading that is not a SELECT, or does not
 * parse, never lets anything through.
 */
export function explainedTexts(sql: string): string[] {
  const skip = (s: string) => s.slice(SKIP.exec(s)![0].length);
  let rest = skip(sql);
  if (!EXPLAIN.test(rest)) return [];
  rest = skip(rest.replace(EXPLAIN, ''));
  while (ANALYZE.test(rest)) rest = skip(rest.replace(ANALYZE, ''));
  const readings = [rest];
  const close = rest.startsWith('(') ? closingParen(rest) : -1;
  if (close > 0) readings.push(skip(rest.slice(close + 1)));
  return readings;
}

/** Where the parenthesis opening `text` closes, skipping quoted strings and names; -1 if it does not. */
function closingParen(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') {
      // a doubled quote inside is an escaped one: it just ends and reopens the quote
      const end = text.indexOf(c, i + 1);
      if (end < 0) return -1;
      i = end;
    } else if (c === '(') {
      depth++;
    } else if (c === ')' && --depth === 0) {
      return i;
    }
  }
  return -1;
}
