// The rollup answers exactly what the purchases table answers: each query is run as written and
// as rewritten over random purchases (several prices per product, times spread over days), and the
// answers must match in columns, types and values. Queries the rollup cannot answer are left alone.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCTS, PURCHASES, quoteIdent, sqlType } from '../batch/schema.js';
import { PINOT_MACROS } from './pinot-sql.js';
import { Rollup, rollupForm, rollupTemplates, type RollupTemplates } from './rollup.js';
import { seededFractions } from '../generator/random.js';

const random = seededFractions;

const ROLLABLE = [
  // the original demo's (pinot_sample_script.py) and the daily dashboard's, over all of history
  'SELECT product_id, SUMPRECISION(quantity, 10, 2) AS quantity, SUMPRECISION(total_purchase, 10, 2) AS sales, AVG(total_purchase) AS avg_sale FROM purchases GROUP BY product_id ORDER BY sales DESC',
  'SELECT count(*) AS purchases, sum(p.quantity) AS drinks, SUMPRECISION(p.total_purchase, 18, 2) AS sales, sum(p.quantity * (p.price - c.cogs)) AS gross_profit FROM purchases p LEFT JOIN products c USING (product_id)',
  "SELECT DATETRUNC('HOUR', p.transaction_time) AS hour, c.category, sum(p.total_purchase) AS sales FROM purchases p JOIN products c USING (product_id) GROUP BY 1, 2 ORDER BY 1, 2",
  'SELECT c.category, sum(p.total_purchase) / (SELECT sum(total_purchase) FROM purchases) AS share FROM purchases p JOIN products c USING (product_id) GROUP BY 1 ORDER BY 2 DESC',
  "SELECT hour, sum(sales) OVER (ORDER BY hour) AS cumulative FROM (SELECT DATETRUNC('HOUR', transaction_time) AS hour, sum(total_purchase) AS sales FROM purchases GROUP BY 1) ORDER BY hour",
  // other shapes: ON joins, WHERE on dimensions and whole hours, HAVING, coarse units, min/max, count(col)
  "SELECT c.contains_fruit, count(quantity) AS n, avg(p.quantity) AS q FROM purchases AS p LEFT JOIN products AS c ON c.product_id = p.product_id WHERE p.transaction_time >= DATE '2026-01-02' AND p.transaction_time < DATE '2026-01-02' + INTERVAL 1 DAY GROUP BY ALL ORDER BY 1 DESC NULLS LAST",
  "SELECT date_trunc('day', transaction_time) AS day, min(price), max(price), sum(quantity * price) AS revenue FROM purchases WHERE product_id IN ('SF01', 'SF02', 'SC05') AND TIMESTAMP '2026-01-03 05:00:00' > transaction_time GROUP BY 1 HAVING count(*) > 3 ORDER BY day",
  "SELECT CAST(transaction_time AS DATE) AS d, round(sum(total_purchase) / count(*), 2) AS avg_sale FROM purchases GROUP BY d ORDER BY d LIMIT 2",
  "SELECT purchases.product_id, max(date_trunc('month', purchases.transaction_time)) AS m FROM purchases GROUP BY ALL ORDER BY 1",
  'SELECT count(*) AS n FROM purchases WHERE price > 5',
];

const NOT_ROLLABLE = [
  'SELECT * FROM purchases LIMIT 5',
  'SELECT transaction_id, quantity FROM purchases ORDER BY 1 LIMIT 5',
  'SELECT count(DISTINCT transaction_id) FROM purchases',
  'SELECT sum(price) FROM purchases',
  'SELECT sum(quantity) FILTER (WHERE is_member) FROM purchases',
  "SELECT date_trunc('minute', transaction_time) AS m, count(*) FROM purchases GROUP BY 1",
  "SELECT count(*) FROM purchases WHERE transaction_time > TIMESTAMP '2026-01-02 00:00:00'",
  "SELECT count(*) FROM purchases WHERE transaction_time >= now() - INTERVAL 1 DAY OR product_id = 'SF01'",
  'SELECT max(quantity) FROM purchases',
  'SELECT product_id, sum(quantity) OVER () FROM purchases',
  'SELECT sum(p.quantity) FROM purchases p JOIN inventories i USING (product_id)',
  'SELECT (SELECT sum(c.cogs) FROM products c WHERE c.product_id = p.product_id) AS x, count(*) FROM purchases p GROUP BY 1',
  "WITH cut AS (SELECT TIMESTAMP '2026-01-02' AS until) SELECT count(*) FROM cut, purchases WHERE transaction_time < until",
];

describe('the purchases rollup (Pinot\'s star-tree)', () => {
  let instance: DuckDBInstance;
  let c: DuckDBConnection;
  let templates: RollupTemplates;
  let rollup: Rollup;

  const rows = async (sql: string) => {
    const reader = await c.runAndReadAll(sql);
    return { types: reader.columnTypes().map(String), names: reader.columnNames(), rows: reader.getRowsJson() };
  };

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    c = await instance.connect();
    for (const macro of PINOT_MACROS) await c.run(macro);
    const columns = (fields: typeof PURCHASES.fields) => fields.map((f) => `${quoteIdent(f.name)} ${sqlType(f.type)}`).join(', ');
    await c.run(`CREATE TABLE purchases (${columns(PURCHASES.fields)})`);
    // compacted every 300 rows appended, so the answers below also cover groups merged and not yet merged
    rollup = await Rollup.create(c, 'purchases', 'fresh', 300);
    await c.run(`CREATE TABLE products (${columns(PRODUCTS.fields)})`);
    await c.run('CREATE TABLE inventories (product_id VARCHAR)');
    const rnd = random(12);
    const ids = Array.from({ length: 12 }, (_, i) => `S${'FCB'[i % 3]}${String(i + 1).padStart(2, '0')}`);
    for (const [i, id] of ids.entries()) {
      await c.run(`INSERT INTO products (product_id, category, cogs, price, contains_fruit) VALUES ('${id}', '${['Classic', 'Superfoods', 'Supplements'][i % 3]}', ${(1 + rnd() * 3).toFixed(2)}, ${(4 + rnd() * 4).toFixed(2)}, ${i % 2 === 0})`);
    }
    const values: string[] = [];
    const start = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 20_000; i++) {
      const id = ids[Math.floor(rnd() * ids.length)];
      const price = (4 + Math.floor(rnd() * 3) * 0.5 + (id.charCodeAt(2) % 3) * 0.25).toFixed(2);
      const quantity = 1 + Math.floor(rnd() * 3);
      const time = new Date(start + Math.floor(rnd() * 4 * 86_400_000)).toISOString().replace('T', ' ').replace('Z', '');
      const total = (Number(price) * quantity * (rnd() < 0.3 ? 0.9 : 1) + (rnd() < 0.2 ? 1.99 : 0)).toFixed(2);
      values.push(`(TIMESTAMP '${time}', 't${i}', '${id}', ${price}, ${quantity}, ${rnd() < 0.3}, 0.1, false, 0, ${total})`);
    }
    // in 40 flushes, as serve's come
    for (let i = 0; i < values.length; i += 500) {
      await c.run(`INSERT INTO fresh VALUES ${values.slice(i, i + 500).join(', ')}`);
      await rollup.takeFresh();
    }
    templates = await rollupTemplates(c);
  });
  afterAll(() => {
    rollup?.close();
    c?.closeSync();
    instance?.closeSync();
  });

  /** Equal answers; averages (DOUBLE) to the last bits, since the rollup's is the correctly rounded quotient. */
  async function expectSameAnswer(sql: string, rewritten: string) {
    const [asWritten, fromRollup] = [await rows(sql), await rows(rewritten)];
    expect(fromRollup.names).toEqual(asWritten.names);
    expect(fromRollup.types).toEqual(asWritten.types);
    expect(fromRollup.rows).toHaveLength(asWritten.rows.length);
    expect(asWritten.rows.length).toBeGreaterThan(0);
    asWritten.rows.forEach((row, r) => row.forEach((value, k) => {
      if (asWritten.types[k] === 'DOUBLE' && typeof value === 'number') expect(fromRollup.rows[r][k]).toBeCloseTo(value, 9);
      else expect(fromRollup.rows[r][k]).toEqual(value);
    }));
  }

  it.each(ROLLABLE)('answers %s from the rollup, as the table does', async (sql) => {
    const rewritten = await rollupForm(c, sql, templates);
    expect(rewritten).toMatch(/__rollup_purchases/);
    await expectSameAnswer(sql, rewritten!);
  });

  it.each(NOT_ROLLABLE)('leaves %s to the table', async (sql) => {
    expect(await rollupForm(c, sql, templates)).toBeUndefined();
  });

  it('fails a rewritten query whose time bound splits an hour, so it runs as written', async () => {
    const rewritten = await rollupForm(c, "SELECT count(*) FROM purchases WHERE transaction_time >= TIMESTAMP '2026-01-02 10:30:00'", templates);
    await expect(c.run(rewritten!)).rejects.toThrow(/not a whole hour/);
  });

  it('takes rows away exactly as they leave the table (retention), dropping emptied groups', async () => {
    const leaving = "SELECT * FROM purchases WHERE transaction_time < TIMESTAMP '2026-01-02 07:13:00'";
    await c.run('BEGIN TRANSACTION');
    try {
      await rollup.remove(leaving);
      await c.run("DELETE FROM purchases WHERE transaction_time < TIMESTAMP '2026-01-02 07:13:00'");
      for (const sql of ROLLABLE.slice(0, 5)) await expectSameAnswer(sql, (await rollupForm(c, sql, templates))!);
      const [[empty]] = (await rows('SELECT count(*) FROM (SELECT sum(__n) AS n FROM __rollup_purchases GROUP BY transaction_time, product_id, price) WHERE n <= 0')).rows;
      expect(empty).toBe('0');
    } finally {
      await c.run('ROLLBACK');
    }
  });
});
