import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, collect, jsonLines, runCli, startCli, tempDir } from '../helpers/cli.js';
import { eventually, query, rowsOf, startServe } from './server.js';

const TOP = 'SELECT product_id, SUMPRECISION(quantity, 10, 0) AS quantity, SUMPRECISION(total_purchase, 10, 2) AS sales FROM purchases GROUP BY product_id ORDER BY sales DESC, product_id';

async function batchJson(cwd: string, args: string[]): Promise<Record<string, unknown>[]> {
  const result = await runCli([...args, '--format', 'json'], { cwd });
  expect(result.code, result.stderr).toBe(0);
  return jsonLines(result.stdout);
}

const top25 = async (cwd: string) => (await batchJson(cwd, ['batch', 'top25', '--limit', '1000'])).map((r) => ({ product_id: r.product_id, quantity: r.quantity, sales: r.sales }));

describe.concurrent('serve on the embedded log', () => {
  it('keeps the tables up to date while generate runs, and answers as batch does', async () => {
    const cwd = tempDir();
    const serve = await startServe(cwd);
    try {
      // the original demo's Pinot tables exist before their topics do, empty
      expect((await (await fetch(`${serve.url}/tables`)).json())).toEqual({ tables: ['purchases', 'products', 'inventories'] });
      expect(await rowsOf(serve.url, 'SELECT count(*) AS n FROM purchases')).toEqual([{ n: 0 }]);

      const generate = startCli(['generate', '--count', '0', '--rate', '100', '--seed', '5'], { cwd });
      const done = collect(generate, 120_000);
      const count = async () => (await rowsOf(serve.url, 'SELECT count(*) AS n FROM purchases'))[0].n as number;
      const first = await eventually('purchases to arrive', async () => ((await count()) > 0 ? count() : undefined));
      // and they keep arriving while generate runs
      await eventually('more purchases', async () => ((await count()) > first + 50 ? true : undefined));
      // many queries at once, while ingesting: every one answered
      const answers = await Promise.all(Array.from({ length: 24 }, () => query(serve.url, TOP)));
      for (const a of answers) expect(a.exceptions).toEqual([]);
      generate.kill('SIGINT');
      expect((await done).code).toBe(0);

      // once generate has stopped, serve holds exactly what batch reads
      const expected = await top25(cwd);
      expect(expected.length).toBeGreaterThan(5);
      await eventually('serve to equal batch top25', async () => {
        const got = await rowsOf(serve.url, TOP);
        return JSON.stringify(got) === JSON.stringify(expected) ? true : undefined;
      });
      const kpis = 'SELECT count(*) AS n, count(DISTINCT transaction_id) AS t, sum(quantity) AS drinks, sum(total_purchase) AS sales FROM purchases';
      expect(await rowsOf(serve.url, kpis)).toEqual(await batchJson(cwd, ['batch', 'sql', kpis]));
      const products = 'SELECT product_id, category, price, cogs FROM products ORDER BY product_id';
      expect(await rowsOf(serve.url, products)).toEqual(await batchJson(cwd, ['batch', 'sql', products]));
      const restocks = 'SELECT product_id, count(*) AS n, sum(stock_quantity) AS q, max(event_time) AS t FROM inventories GROUP BY 1 ORDER BY 1';
      expect(await rowsOf(serve.url, restocks)).toEqual(await batchJson(cwd, ['batch', 'sql', restocks]));
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });

  it('skips malformed records as batch does, reporting where they are, and goes on', async () => {
    const cwd = tempDir();
    const serve = await startServe(cwd);
    try {
      const produce = (file: string, input?: string) => runCli(['produce', 'demo.purchases', ...(input ? ['--raw'] : ['--file', file])], { cwd, input });
      expect((await produce(join(FIXTURES, 'sample_data_small.json'))).code).toBe(0);
      const good = '{"transaction_time":"2022-08-31 09:00:00.000000","transaction_id":"9","product_id":"SF07","price":5.99,"quantity":1,"total_purchase":5.99}';
      const bad = ['not json', '{"transaction_time":', '42', '{"transaction_time":"2022-08-31 09:00:00","product_id":"SF07","price":"5.99","quantity":1,"total_purchase":5.99}', '{"transaction_time":"yesterday","product_id":"SF07","price":5.99,"quantity":1,"total_purchase":5.99}'];
      expect((await produce('', [...bad, good].join('\n') + '\n')).code).toBe(0);
      // the malformed ones are at offsets 290..294, the good one after them
      await eventually('the malformed records to be reported', async () => (serve.stderr().includes('demo.purchases[0]@294') ? true : undefined));
      for (let offset = 290; offset <= 294; offset++) expect(serve.stderr()).toContain(`skipped malformed record demo.purchases[0]@${offset}`);
      expect(await rowsOf(serve.url, TOP)).toEqual(await top25(cwd));
      expect(await rowsOf(serve.url, 'SELECT count(*) AS n FROM purchases')).toEqual([{ n: 291 }]);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });

  it('refuses hostile queries with a Pinot error and goes on answering', async () => {
    const cwd = tempDir();
    expect((await runCli(['produce', 'demo.purchases', '--file', join(FIXTURES, 'sample_data_small.json')], { cwd })).code).toBe(0);
    const serve = await startServe(cwd);
    const written = join(cwd, 'stolen.csv');
    const hostile = [
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_text('/etc/hostname')",
      "SELECT * FROM glob('/*')",
      `COPY purchases TO '${written}'`,
      `COPY (SELECT 1) TO '${written}'`,
      `ATTACH '${join(cwd, 'other.db')}' AS other`,
      'INSTALL httpfs',
      'LOAD httpfs',
      'SET threads = 1',
      "SET memory_limit = '1TB'",
      'PRAGMA threads = 1',
      'RESET lock_configuration',
      'SELECT 1; SELECT 2',
      'SELECT 1; DROP VIEW purchases',
      'DROP VIEW purchases',
      'CREATE TABLE t AS SELECT 1',
      'DELETE FROM purchases',
      'INSERT INTO __held_purchases SELECT * FROM __held_purchases',
      'SELECT * FROM no_such_table',
      'SELECT FROM WHERE',
      '',
    ];
    const held = async () => (await rowsOf(serve.url, 'SELECT count(*) AS n FROM purchases'))[0].n;
    try {
      await eventually('the purchases to be loaded', async () => ((await held()) === 290 ? true : undefined));
      for (const sql of hostile) {
        const answer = await query(serve.url, sql);
        expect(answer.resultTable, sql).toBeUndefined();
        expect(answer.exceptions, sql).toHaveLength(1);
        expect(answer.exceptions[0].errorCode, sql).toBeGreaterThanOrEqual(100);
        expect(answer.exceptions[0].message, sql).toMatch(/\S/);
        // and the server goes on
        expect(await held(), sql).toBe(290);
      }
      expect(existsSync(written)).toBe(false);
      expect(existsSync(join(cwd, 'other.db'))).toBe(false);
      expect(await rowsOf(serve.url, "SELECT current_setting('threads') > 0 AS ok")).toEqual([{ ok: true }]);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });

  it('holds only the newest --retention records of a table', async () => {
    const cwd = tempDir();
    const fixture = JSON.parse(readFileSync(join(FIXTURES, 'sample_data_small.json'), 'utf8')) as { total_purchase: number }[];
    expect((await runCli(['produce', 'demo.purchases', '--file', join(FIXTURES, 'sample_data_small.json')], { cwd })).code).toBe(0);
    const serve = await startServe(cwd, ['--retention', '100']);
    try {
      const newest = fixture.slice(-100).reduce((cents, p) => cents + Math.round(p.total_purchase * 100), 0) / 100;
      await eventually('the newest 100 purchases', async () => {
        const [held] = await rowsOf(serve.url, 'SELECT count(*) AS n, sum(total_purchase) AS sales FROM purchases');
        return held.n === 100 && held.sales === newest ? true : undefined;
      });
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });

  it('stops a query at --query-timeout, cuts an answer at --max-rows, and goes on', async () => {
    const serve = await startServe(tempDir(), ['--query-timeout', '1s', '--max-rows', '5']);
    try {
      const slow = await query(serve.url, 'SELECT sum(a.range * b.range) FROM range(1000000) a, range(1000000) b');
      expect(slow.exceptions).toEqual([{ errorCode: 250, message: expect.stringContaining('time limit of 1000 ms') }]);
      const cut = await query(serve.url, 'SELECT range AS n FROM range(100)');
      expect(cut.resultTable!.rows).toEqual([[0], [1], [2], [3], [4]]);
      expect(cut.partialResult).toBe(true);
      const whole = await query(serve.url, 'SELECT range AS n FROM range(5)');
      expect(whole.partialResult).toBe(false);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });
});
