// Issue 14 item 9 (DESIGN §4): stream and batch agree on every record. Random records with the
// nasty edges of every rule go to both: record by record (stream's parsePurchase against batch's
// real DuckDB reading of the embedded log's own lines), and end to end (the binary's `stream
// totals` against its `batch`, over the same topic).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { badRecords } from '../../src/batch/bad-records.js';
import { openDuckDB } from '../../src/batch/duckdb.js';
import { rawRelation } from '../../src/batch/relation.js';
import { toResult } from '../../src/batch/result.js';
import { PURCHASES, checkedSelect } from '../../src/batch/schema.js';
import { parsePurchase } from '../../src/model/purchase.js';
import { encodeEnvelope } from '../../src/transport/embedded/envelope.js';
import { jsonLines, runCli, tempDir } from '../helpers/cli.js';
import { rng } from '../stream/reference.js';
import { randomRecord } from './records.js';

const duck = await openDuckDB();
afterAll(() => duck.closeSync());

const records = (seed: number, count: number) => {
  const r = rng(seed);
  return Array.from({ length: count }, () => randomRecord(r));
};

describe('stream and batch agree on every record', () => {
  it.each([1, 2, 3, 4, 5, 6])('record by record, seed %i', async (seed) => {
    const texts = records(seed, 1500);
    const dir = tempDir();
    const file = join(dir, '00000000000000000000.ndjson');
    writeFileSync(file, texts.map((t, offset) => encodeEnvelope(offset, 0, null, t)).join(''));
    const files = { topic: 't', rejected: 0, partitions: [{ partition: 0, ndjson: [file], parquet: [], end: texts.length }] };
    const sql = `SELECT __offset, epoch_us(transaction_time) AS micros, transaction_id, product_id, (price * 100)::BIGINT AS price, quantity, (total_purchase * 100)::BIGINT AS total
      FROM (${checkedSelect(PURCHASES, rawRelation(PURCHASES, files.partitions), undefined, true)}) WHERE __valid ORDER BY __offset`;
    const result = toResult(await duck.runAndReadAll(sql));
    const batch = new Map(result.rows.map((row) => [Number(row[0]), row.slice(1)]));

    const wrong: string[] = [];
    let malformed = 0;
    texts.forEach((text, offset) => {
      const js = parsePurchase(text);
      if (!js.ok) malformed++;
      const stream = js.ok ? [js.value.eventTime, js.value.transactionId, js.value.productId, js.value.priceCents, js.value.quantity, js.value.totalCents] : undefined;
      if (JSON.stringify(stream) !== JSON.stringify(batch.get(offset))) {
        wrong.push(`${text}\n  stream ${JSON.stringify(stream)} ${js.ok ? '' : js.reason}\n  batch  ${JSON.stringify(batch.get(offset))}`);
      }
    });
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(malformed).toBeGreaterThan(100);
    expect(malformed).toBeLessThan(texts.length - 500);
    // every malformed record is counted and placed, the ones DuckDB cannot read at all included
    const bad = await badRecords(duck, PURCHASES, files, texts.length - batch.size);
    expect(bad.malformed).toBe(malformed);
    expect(bad.damaged).toEqual([]);
  });

  it('end to end: stream totals and batch give the same totals and the same malformed count', async () => {
    const cwd = tempDir();
    const texts = records(77, 1200);
    writeFileSync(join(cwd, 'in.ndjson'), texts.join('\n') + '\n');
    const run = async (args: string[]) => {
      const result = await runCli(args, { cwd });
      expect(result.code, `salesstream ${args.join(' ')}\n${result.stderr}`).toBe(0);
      return result;
    };
    await run(['produce', 'demo.purchases', '--file', 'in.ndjson', '--raw', '--partitions', '2']);
    const stream = jsonLines((await run(['stream', 'totals', '--until-end', '--no-sink', '--top', '1000', '--format', 'json'])).stdout).at(-1);
    const batch = await run(['batch', 'sql', 'SELECT product_id, count(*) AS transactions, sum(quantity) AS quantities, sum(total_purchase) AS sales FROM purchases GROUP BY 1 ORDER BY 1', '--format', 'json']);

    const byProduct = (rows: { product_id: string; transactions: number; quantities: number; sales: number }[]) =>
      Object.fromEntries(rows.map((r) => [r.product_id, [r.transactions, r.quantities, r.sales]]));
    expect(byProduct(stream.rows)).toEqual(byProduct(jsonLines(batch.stdout)));
    expect(Object.keys(byProduct(stream.rows)).length).toBeGreaterThanOrEqual(5);
    expect(stream.events).toBe(texts.length);
    const skipped = /skipped (\d+) malformed records in demo\.purchases/.exec(batch.stderr);
    expect(Number(skipped?.[1])).toBe(stream.malformed);
    expect(stream.malformed).toBeGreaterThan(50);
    // batch places them as stream does: topic[partition]@offset
    expect(batch.stderr).toMatch(/^malformed record demo\.purchases\[[01]\]@\d+$/m);
  });
});
