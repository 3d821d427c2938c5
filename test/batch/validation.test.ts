// The SQL that checks records must agree with src/model/purchase.ts, record by record, so stream
// and batch skip the same ones (DESIGN §4). Run against DuckDB, on both file formats.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ndjsonToParquet, openDuckDB } from '../../src/batch/duckdb.js';
import { rawRelation, type PartitionFiles } from '../../src/batch/relation.js';
import { toResult } from '../../src/batch/result.js';
import { PURCHASES, checkedSelect } from '../../src/batch/schema.js';
import { parsePurchase } from '../../src/model/purchase.js';
import { parseTimestamp } from '../../src/model/timestamp.js';
import { tempDir } from '../helpers/cli.js';

const base = { transaction_time: '2022-08-31 08:00:34.721802', transaction_id: '42', product_id: 'SF07', price: 5.99, quantity: 2, is_member: true, member_discount: 0.1, add_supplements: false, supplement_price: 0, total_purchase: 10.78 };

const TIMES = [
  '2022-08-31 08:00:34.721802', '2022-08-31 08:00:34', '2022-08-31 08:00:34.7', '2022-08-31T08:00:34.721802Z', '2022-08-31T08:00:34Z',
  '2022-08-31T08:00:34.123456789Z', '2022-08-31 08:00:34+00:00', '2022-08-31 08:00:34-0000', '2022-08-31 23:59:59.999999', '2024-02-29 00:00:00',
  '', 'yesterday', '2022-08-31', '2022-13-01 00:00:00', '2022-02-30 00:00:00', '2023-02-29 00:00:00', '2022-08-31 24:00:00', '2022-08-31 08:60:00',
  '2022-08-31 08:00:60', '2022-08-31 08:00:34+02:00', ' 2022-08-31 08:00:34', '2022-08-31 08:00:34 ', '2022-8-31 08:00:34', '2022-08-31  08:00:34',
  '2022-08-31 08:00:34.', '2022-08-31 08:00:34.1234567890', '2022-08-31 8:00:34', '+2022-08-31 08:00:34', '2022-08-31 08:00:34.72180a',
  // the valid years (timestamp.ts YEARS), and the hour 24 that DuckDB's cast alone reads as the next day
  '2022-08-31 24:00:00.000000', '9999-12-31 00:00:00.000000', '0050-08-31 08:00:00.000000', '0001-01-01 00:00:00', '1899-12-31 23:59:59.999999',
  '1900-01-01 00:00:00.000000', '2199-12-31 23:59:59.999999', '2200-01-01 00:00:00.000000',
];

const VALUES: unknown[] = [
  base, 'text', 42, null, [base], {},
  ...TIMES.map((t) => ({ ...base, transaction_time: t })),
  { ...base, transaction_time: 20220831 }, { ...base, transaction_time: null }, { ...base, transaction_time: undefined },
  { ...base, transaction_id: undefined }, { ...base, transaction_id: null }, { ...base, transaction_id: '' }, { ...base, transaction_id: 7 }, { ...base, transaction_id: ['7'] },
  { ...base, product_id: '' }, { ...base, product_id: 5 }, { ...base, product_id: null }, { ...base, product_id: undefined }, { ...base, product_id: 'with "quotes" \\ and \u00e9' },
  { ...base, price: '5.99' }, { ...base, price: null }, { ...base, price: true }, { ...base, price: -1 }, { ...base, price: 1e3 }, { ...base, price: {} },
  { ...base, quantity: 1.5 }, { ...base, quantity: '2' }, { ...base, quantity: 0 }, { ...base, quantity: -3 }, { ...base, quantity: 2.0 }, { ...base, quantity: 1e2 },
  { ...base, total_purchase: undefined }, { ...base, total_purchase: '10.78' }, { ...base, total_purchase: 0 },
  // the valid ranges (purchase.ts LIMITS) and the rounding of half cents (away from zero)
  { ...base, quantity: 1e20 }, { ...base, quantity: 1e6 }, { ...base, quantity: -1e6 }, { ...base, quantity: 1e6 + 1 },
  { ...base, price: 1e17 }, { ...base, total_purchase: 1e20 }, { ...base, total_purchase: 1e6 }, { ...base, total_purchase: 1000000.01 },
  { ...base, total_purchase: -0.125 }, { ...base, total_purchase: 0.125 }, { ...base, total_purchase: 1.005 }, { ...base, price: -2.675 },
  // fields nobody sums are not checked, as purchase.ts does not check them
  { ...base, is_member: 'yes', member_discount: 'none', add_supplements: 1, supplement_price: 'x' }, { ...base, extra: { deep: [1, { a: null }] } },
];

let dir: string;
let files: PartitionFiles[];
const duck = await openDuckDB();

beforeAll(async () => {
  dir = tempDir();
  const lines = VALUES.map((v, offset) => JSON.stringify({ offset, timestamp: 0, key: null, value: v === undefined ? null : v }));
  writeFileSync(join(dir, 'a.ndjson'), lines.join('\n') + '\n');
  await ndjsonToParquet(duck, join(dir, 'a.ndjson'), join(dir, 'a.parquet'));
  files = [
    { partition: 0, ndjson: [join(dir, 'a.ndjson')], parquet: [] },
    { partition: 1, ndjson: [], parquet: [join(dir, 'a.parquet')] },
  ];
});

afterAll(() => duck.closeSync());

async function checked(partition: number) {
  const sql = `SELECT __offset, __valid, epoch_us(transaction_time) AS micros, transaction_id, product_id, price, quantity, total_purchase
    FROM (${checkedSelect(PURCHASES, rawRelation(PURCHASES, files.filter((f) => f.partition === partition)), undefined, true)}) ORDER BY __offset`;
  const result = toResult(await duck.runAndReadAll(sql));
  return result.rows.map((row) => Object.fromEntries(row.map((v, i) => [result.columns[i].name, v])));
}

describe.each([[0, 'ndjson'], [1, 'parquet']])('checking purchases (%s: %s)', (partition) => {
  it('keeps exactly the records purchase.ts accepts, with the same values', async () => {
    const rows = await checked(partition as number);
    expect(rows).toHaveLength(VALUES.length);
    expect(rows.filter((r) => r.__valid).length).toBeGreaterThan(15);
    expect(rows.filter((r) => !r.__valid).length).toBeGreaterThan(30);
    for (const [i, value] of VALUES.entries()) {
      const js = parsePurchase(JSON.stringify(value === undefined ? null : value));
      const row = rows[i];
      expect(row.__valid, JSON.stringify(value)).toBe(js.ok);
      if (!js.ok) continue;
      expect(row, JSON.stringify(value)).toMatchObject({
        micros: js.value.eventTime,
        transaction_id: js.value.transactionId,
        product_id: js.value.productId,
        price: js.value.priceCents / 100,
        quantity: js.value.quantity,
        total_purchase: js.value.totalCents / 100,
      });
    }
  });

  it('reads every DESIGN §2 timestamp spelling to the microsecond, and nothing else', async () => {
    const rows = await checked(partition as number);
    for (const [i, t] of TIMES.entries()) {
      const row = rows[6 + i];
      expect(row.__valid ? row.micros : undefined, t).toBe(parseTimestamp(t));
    }
  });
});
