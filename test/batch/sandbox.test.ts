// batch sql (and serve) run the user's SQL in a sandbox: no statement, however wrapped, may read,
// list or write a file, attach a database, install or load an extension, change a setting, or
// change the loaded views. Every attempt is one clear line (UsageError), and nothing changed.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDB } from '../../src/batch/duckdb.js';
import { explainedTexts, lockDown, runUserQuery } from '../../src/batch/sandbox.js';
import { UsageError } from '../../src/errors.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { ok, rows } from './cli.js';
import { embeddedValues } from './oracle.js';

let duck: DuckDBConnection;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  duck = await openDuckDB();
  await duck.run('CREATE TEMP TABLE __t AS SELECT range AS x FROM range(5)');
  await duck.run('CREATE TEMP VIEW v AS SELECT x FROM __t');
  await lockDown(duck);
});

afterAll(() => duck.closeSync());

const refused = async (sql: string) => {
  const err = await runUserQuery(duck, sql).then(() => undefined, (e: unknown) => e);
  expect(err, sql).toBeInstanceOf(UsageError);
  expect((err as Error).message, sql).not.toContain('\n');
  return (err as Error).message;
};

const setting = async (name: string) => (await runUserQuery(duck, `SELECT current_setting('${name}') AS s`)).rows[0][0];

describe('the SQL sandbox', () => {
  it('reads no file and lists no folder, whatever the function', async () => {
    for (const sql of [
      "SELECT * FROM read_text('/etc/passwd')", "SELECT * FROM read_blob('/etc/passwd')", "SELECT * FROM glob('/etc/*')",
      "SELECT * FROM read_csv('/etc/passwd', sep = ':')", "SELECT * FROM read_json('/etc/passwd')", "SELECT * FROM parquet_metadata('/etc/passwd')",
      "SELECT * FROM '/etc/passwd'", "SELECT * FROM read_text(['/etc/hostname', '/etc/passwd'])", "EXPLAIN ANALYZE SELECT * FROM read_text('/etc/passwd')",
      "SELECT * FROM query('SELECT * FROM read_text(''/etc/passwd'')')",
    ]) {
      expect(await refused(sql)).not.toMatch(/root:/);
    }
  });

  it('writes no file and makes no folder', async () => {
    for (const sql of [
      `EXPLAIN ANALYZE COPY (SELECT 'echo hi') TO '${join(dir, 'x.sh')}'`, `COPY (SELECT 1) TO '${join(dir, 'y.csv')}'`,
      `COPY v TO '${join(dir, 'z.parquet')}' (FORMAT parquet)`, `EXPORT DATABASE '${join(dir, 'export')}'`,
      `ATTACH '${join(dir, 'a.db')}' AS a`, `EXPLAIN ANALYZE ATTACH '${join(dir, 'b.db')}' AS b`, `PRAGMA profiling_output = '${join(dir, 'p.txt')}'`,
    ]) {
      await refused(sql);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('installs and loads no extension', async () => {
    for (const sql of ['INSTALL httpfs', 'LOAD httpfs', 'EXPLAIN ANALYZE LOAD httpfs', 'EXPLAIN ANALYZE INSTALL httpfs', "SELECT * FROM read_json('https://example.com/x.json')"]) {
      await refused(sql);
    }
    expect(existsSync(join(dir, 'httpfs'))).toBe(false);
  });

  it('changes no setting', async () => {
    for (const sql of [
      'SET threads = 1', 'EXPLAIN ANALYZE SET threads = 1', 'PRAGMA threads = 1', 'EXPLAIN ANALYZE PRAGMA threads = 1', 'RESET lock_configuration',
      'SET enable_external_access = true', 'SET lock_configuration = false', 'PRAGMA enable_profiling', 'EXPLAIN ANALYZE PRAGMA enable_profiling',
      'SET VARIABLE x = 1', 'EXPLAIN ANALYZE SET VARIABLE x = 1',
    ]) {
      await refused(sql);
    }
    expect(await setting('enable_external_access')).toBe(false);
    expect(await setting('lock_configuration')).toBe(true);
    expect(await setting('autoload_known_extensions')).toBe(false);
    expect(await setting('autoinstall_known_extensions')).toBe(false);
  });

  it('changes none of the loaded views and tables, even inside EXPLAIN ANALYZE', async () => {
    for (const sql of [
      'DROP VIEW v', 'EXPLAIN ANALYZE DROP VIEW v', 'EXPLAIN (ANALYZE) DROP VIEW v', 'EXPLAIN ANALYZE VERBOSE DELETE FROM __t',
      '/* hi */ EXPLAIN -- there\n ANALYZE CREATE TEMP TABLE z AS SELECT 1', "EXPLAIN (FORMAT 'x) SELECT 1 --') DROP VIEW v",
      'EXPLAIN ANALYZE INSERT INTO __t VALUES (9)', 'CREATE TEMP TABLE y AS SELECT 1', 'CALL duckdb_tables()', 'PIVOT v ON x',
    ]) {
      await refused(sql);
    }
    expect((await runUserQuery(duck, 'SELECT count(*) AS n, sum(x) AS s FROM v')).rows).toEqual([[5, 10]]);
    expect((await runUserQuery(duck, "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name IN ('y', 'z')")).rows).toEqual([[0]]);
  });

  it('runs one statement at a time, and says so for none', async () => {
    expect(await refused('SELECT 1; SELECT 2')).toBe('one query at a time: this text holds 2 statements');
    for (const sql of ['', '   ', '-- nothing\n', '/* nothing */']) expect(await refused(sql)).toBe('no query given: the SQL text holds no statement');
    expect(await refused('SELEC 1')).toMatch(/^Parser Error: syntax error at or near "SELEC"$/);
  });

  it('answers queries, EXPLAIN and EXPLAIN ANALYZE of them', async () => {
    for (const sql of ['SELECT sum(x) FROM v', 'WITH a AS (SELECT x FROM v) SELECT sum(x) FROM a', 'FROM v SELECT sum(x)', '(SELECT sum(x) FROM v)']) {
      expect((await runUserQuery(duck, sql)).rows, sql).toEqual([[10]]);
    }
    for (const sql of ['EXPLAIN SELECT * FROM v', 'EXPLAIN ANALYZE SELECT * FROM v', 'EXPLAIN (FORMAT json) SELECT * FROM v', '-- why\nexplain analyse SELECT 1', 'SUMMARIZE v', 'DESCRIBE v']) {
      expect((await runUserQuery(duck, sql)).rows.length, sql).toBeGreaterThan(0);
    }
  });

  it('reads the explained statement only where the syntax puts it', () => {
    expect(explainedTexts('EXPLAIN ANALYZE SELECT 1')).toEqual(['SELECT 1']);
    expect(explainedTexts('/*a*/ explain -- b\n (FORMAT json, ANALYZE) SELECT 1')).toEqual(['(FORMAT json, ANALYZE) SELECT 1', 'SELECT 1']);
    expect(explainedTexts("EXPLAIN (FORMAT ')') SELECT 1")).toEqual(["(FORMAT ')') SELECT 1", 'SELECT 1']);
    expect(explainedTexts('SELECT 1')).toEqual([]);
  });
});

describe('batch sql', () => {
  it('reads and writes no file, and gives one line and exit 2 for what it refuses', async () => {
    const cwd = tempDir();
    await ok(['generate', '--count', '20', '--seed', '5', '--fast', '--start-time', '2026-01-01T08:00:00Z'], cwd);
    // the views still answer: they were loaded before the lock
    const purchases = embeddedValues(join(cwd, '.salesstream'), 'demo.purchases');
    expect(await rows(['batch', 'sql', 'select count(*) as n from purchases'], cwd)).toEqual([{ n: purchases.length }]);
    for (const sql of ["select * from read_text('/etc/passwd')", `EXPLAIN ANALYZE COPY (SELECT 1) TO '${join(cwd, 'x.sh')}'`, `EXPORT DATABASE '${join(cwd, 'exp')}'`, '', 'select 1; select 2']) {
      const result = await runCli(['batch', 'sql', sql], { cwd });
      expect(result.code, sql).toBe(2);
      expect(result.stderr.trim().split('\n'), sql).toHaveLength(1);
      expect(result.stderr, sql).toMatch(/^salesstream: /);
      expect(result.stdout, sql).toBe('');
    }
    expect(readdirSync(cwd).sort()).toEqual(['.salesstream']);
  });
});
