// Issue 14 item 8: a record outside the valid ranges (quantity 1e20, a year 9999) is malformed
// for stream and batch alike, so the committed totals always load again at the next start.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ok } from '../batch/cli.js';
import { jsonLines, tempDir } from '../helpers/cli.js';
import { latestByKey, totalsResult } from '../stream/reference.js';


const purchase = (time: string, quantity: number, total: number) =>
  JSON.stringify({ transaction_time: time, product_id: 'SF07', price: 5.99, quantity, total_purchase: total });

describe('valid ranges', () => {
  it('out-of-range records are malformed to stream totals and batch, and the totals survive restarts exactly', async () => {
    const cwd = tempDir();
    const lines: string[] = [];
    const produce = async (batch: string[]) => {
      lines.push(...batch);
      const file = join(cwd, `in-${lines.length}.ndjson`);
      writeFileSync(file, batch.join('\n') + '\n');
      await ok(['produce', 'demo.purchases', '--file', file, '--raw'], cwd);
    };
    const totals = async () => jsonLines((await ok(['stream', 'totals', '--until-end', '--format', 'json'], cwd)).stdout).at(-1);

    await produce([purchase('2022-08-31 08:00:00.000000', 2, 11.98), purchase('2022-08-31 08:01:00.000000', 1, 5.99)]);
    expect((await totals()).malformed).toBe(0);
    await produce([
      purchase('2022-08-31 08:02:00.000000', 1e20, 5.99), purchase('9999-12-31 00:00:00.000000', 1, 5.99),
      purchase('2022-08-31 08:03:00.000000', 1, 1e17), purchase('0050-08-31 08:03:00.000000', 1, 5.99),
      purchase('2022-08-31 08:04:00.000000', 3, 17.97),
    ]);
    const second = await totals();
    expect(second.malformed).toBe(4);
    await produce([purchase('2022-08-31 08:05:00.000000', 1, 5.99)]);
    const third = await totals();
    expect(third.events).toBe(1);

    const expected = totalsResult(lines);
    expect(expected.SF07).toMatchObject({ transactions: 4, quantities: 7, sales: 41.93 });
    const tail = await ok(['tail', 'demo.running.totals', '--from', 'beginning', '--format', 'json'], cwd);
    expect(latestByKey(jsonLines(tail.stdout))).toEqual(expected);
    expect(third.rows.map((r: { product_id: string }) => r.product_id)).toEqual(['SF07']);

    const top = await ok(['batch', 'top25', '--format', 'json'], cwd);
    expect(jsonLines(top.stdout)).toEqual([{ product_id: 'SF07', sales: 41.93, quantity: 7 }]);
    expect(top.stderr).toContain('skipped 4 malformed records in demo.purchases');
  });
});
