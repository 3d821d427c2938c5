// The original demo's Pinot client, unchanged but for where the broker is, against serve.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, collect, jsonLines, runCli, startCli, tempDir } from '../helpers/cli.js';
import { pinotPython } from './pinot-venv.js';
import { eventually, rowsOf, startServe } from './server.js';

const venv = pinotPython();
const CLIENT = resolve(import.meta.dirname, 'pinot_client.py');

type Row = [string, string, string, number, number];

/** Runs a Python script; its stdout. */
function python(args: string[], input?: string): string {
  if (!('python' in venv)) throw new Error(venv.skip);
  const result = spawnSync(venv.python, args, { encoding: 'utf8', input, timeout: 60_000 });
  if (result.status !== 0) throw new Error(`python ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** The original pinot_sample_script.py with host and port pointed at serve; the rows it prints. */
function sampleScript(dir: string, url: string): Row[] {
  const { hostname, port } = new URL(url);
  const script = readFileSync(join(FIXTURES, 'pinot_sample_script.py'), 'utf8')
    .replace('host="pinot-broker"', `host="${hostname}"`)
    .replace('port=8099', `port=${port}`);
  expect(script).toContain(`port=${port}`);
  const path = join(dir, 'pinot_sample_script.py');
  writeFileSync(path, script);
  const printed = python([path]);
  // print(row) writes Python's repr: read it back with Python's own literal parser
  return JSON.parse(python(['-c', 'import ast, json, sys; print(json.dumps([ast.literal_eval(l) for l in sys.stdin if l.strip()]))'], printed));
}

async function top25(cwd: string): Promise<{ product_id: string; quantity: number; sales: number }[]> {
  const result = await runCli(['batch', 'top25', '--limit', '1000', '--format', 'json'], { cwd });
  expect(result.code, result.stderr).toBe(0);
  return jsonLines(result.stdout);
}

const byProduct = <T extends { product_id: string }>(rows: T[]) => [...rows].sort((a, b) => a.product_id.localeCompare(b.product_id));

describe.skipIf('skip' in venv)('the original Pinot client (pinotdb) against serve', () => {
  it('runs pinot_sample_script.py while generate and stream enrich run: rows grow, then equal batch top25', async () => {
    const cwd = tempDir();
    const serve = await startServe(cwd);
    const generate = startCli(['generate', '--count', '0', '--rate', '50', '--seed', '21'], { cwd });
    const generated = collect(generate, 300_000);
    let enrich: ReturnType<typeof startCli> | undefined;
    let enriched: ReturnType<typeof collect> | undefined;
    try {
      // enrich needs its source topics: start it once generate has made them
      await eventually('generated purchases', async () => ((await rowsOf(serve.url, 'SELECT count(*) AS n FROM purchases'))[0].n as number) > 0 || undefined, 120_000);
      enrich = startCli(['stream', 'enrich', '--trigger', '200ms', '--format', 'json'], { cwd });
      enriched = collect(enrich, 300_000);
      const total = (rows: Row[]) => rows.reduce((sum, r) => sum + r[3], 0);
      const first = await eventually('enriched purchases in serve', async () => {
        const rows = sampleScript(cwd, serve.url);
        return rows.length ? rows : undefined;
      }, 120_000);
      // the product's name and category come from the join
      expect(first[0][1]).toMatch(/\S/);
      expect(first[0][2]).toMatch(/\S/);
      await eventually('the rows to grow as purchases arrive', async () => (total(sampleScript(cwd, serve.url)) > total(first) ? true : undefined), 120_000);

      generate.kill('SIGINT');
      expect((await generated).code).toBe(0);
      const expected = byProduct(await top25(cwd));
      await eventually('the script to print batch top25', async () => {
        const rows = sampleScript(cwd, serve.url);
        const got = byProduct(rows.map(([product_id, , , quantity, sales]) => ({ product_id, sales, quantity })));
        return JSON.stringify(got) === JSON.stringify(expected) ? rows : undefined;
      }, 120_000).then((rows) => {
        // best sellers first, as the script asks
        const sales = rows.map((r) => r[4]);
        expect(sales).toEqual([...sales].sort((a, b) => b - a));
      });
    } finally {
      generate.kill('SIGINT');
      enrich?.kill('SIGINT');
      await generated;
      if (enriched) expect((await enriched).code).toBe(0);
      expect(await serve.stop()).toBe(0);
    }
  }, 400_000);

  it("runs the demo's README queries through the DB-API, and the SQLAlchemy dialect lists and reflects the tables", async () => {
    const cwd = tempDir();
    expect((await runCli(['generate', '--count', '300', '--seed', '4', '--fast'], { cwd })).code).toBe(0);
    expect((await runCli(['stream', 'enrich', '--until-end', '--format', 'json'], { cwd })).code).toBe(0);
    const serve = await startServe(cwd);
    try {
      const expected = byProduct(await top25(cwd));
      const { hostname, port } = new URL(serve.url);
      const out = await eventually('every table to be loaded', async () => {
        const o = JSON.parse(python([CLIENT, hostname, port]));
        const enrichedRows = o.purchasesEnriched.rows.length;
        return o.purchases.rows.length === expected.length && enrichedRows === expected.length ? o : undefined;
      }, 120_000);

      expect(out.products).toEqual({ columns: ['product_count', 'avg_price', 'avg_cogs', 'avg_gross_profit'], rows: [[27, expect.any(Number), expect.any(Number), expect.any(Number)]] });
      const [, avgPrice, avgCogs, avgProfit] = out.products.rows[0];
      expect(avgProfit).toBeCloseTo(avgPrice - avgCogs, 9);
      expect(out.purchases.columns).toEqual(['product_id', 'quantity', 'sales', 'avg_sale']);
      expect(byProduct(out.purchases.rows.map(([product_id, quantity, sales]: [string, number, number]) => ({ product_id, sales, quantity })))).toEqual(expected);
      expect(byProduct(out.purchasesEnriched.rows.map(([product_id, , , quantity, sales]: Row) => ({ product_id, sales, quantity })))).toEqual(expected);

      expect(out.tables).toEqual(['inventories', 'products', 'purchases', 'purchasesEnriched']);
      expect(out.columns.purchases).toEqual(expect.arrayContaining(['transaction_time', 'transaction_id', 'product_id', 'price', 'quantity', 'is_member', 'member_discount', 'add_supplements', 'supplement_price', 'total_purchase']));
      expect(out.columns.purchases).toHaveLength(10);
      expect(out.columns.purchasesEnriched).toHaveLength(20);
      const counted = await runCli(['batch', 'sql', 'SELECT count(*) AS n FROM purchases', '--format', 'json'], { cwd });
      expect(out.count).toBe(jsonLines(counted.stdout)[0].n);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  }, 300_000);
});
