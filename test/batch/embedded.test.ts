import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from '../helpers/cli.js';
import { ok, rows, skipped } from './cli.js';
import { catalogCogs, embeddedValues, kpis, top, type PurchaseRecord } from './oracle.js';

const COGS = catalogCogs(resolve(import.meta.dirname, '../../configuration/products.csv'));
const START = ['--start-time', '2026-01-01T08:00:00Z'];

// each test runs the binary many times: slow when the cores are busy
describe.concurrent('batch on the embedded log', { timeout: 240_000 }, () => {
  it.each(['sample_data_small.json', 'sample_data_large.json', 'sample_date_new.json'])('equals a plain computation on %s', async (fixture) => {
    const cwd = tempDir();
    await ok(['produce', 'demo.purchases', '--file', join(FIXTURES, fixture), '--key-field', 'product_id', '--partitions', '2'], cwd);
    const purchases = embeddedValues(join(cwd, '.salesstream'), 'demo.purchases') as PurchaseRecord[];
    expect(await rows(['batch', 'top25'], cwd)).toEqual(top(purchases));
    expect(await rows(['batch', 'kpis'], cwd)).toEqual([kpis(purchases, COGS)]);
    if (fixture === 'sample_data_small.json') {
      // the original demo's daily dashboard for this file
      expect(kpis(purchases, COGS)).toEqual({ purchases: 290, transactions: null, drinks: 352, sales: 2094.74, gross_profit: 1223.28, avg_sale: 7.22 });
      const table = (await ok(['batch', 'kpis'], cwd)).stdout;
      expect(table).toContain('|      290|        null|   352|2,094.74|    1,223.28|    7.22|');
    }
  });

  it('equals a plain computation on generated data, over 3 partitions, by group and by day', async () => {
    const cwd = tempDir();
    await ok(['generate', '--count', '3000', '--seed', '11', '--fast', '--partitions', '3', ...START], cwd);
    const purchases = embeddedValues(join(cwd, '.salesstream'), 'demo.purchases') as PurchaseRecord[];
    expect(await rows(['batch', 'top25', '--limit', '100'], cwd)).toEqual(top(purchases, 100));
    expect(await rows(['batch', 'top25'], cwd)).toEqual(top(purchases));
    expect(await rows(['batch', 'kpis'], cwd)).toEqual([kpis(purchases, COGS)]);

    const byProduct = await rows<{ product_id: string }>(['batch', 'kpis', '--by', 'product'], cwd);
    const ids = [...new Set(purchases.map((p) => p.product_id))].sort();
    expect(byProduct).toEqual(ids.map((id) => ({ product_id: id, ...kpis(purchases.filter((p) => p.product_id === id), COGS) })));

    const day = purchases[purchases.length - 1].transaction_time.slice(0, 10);
    const onDay = purchases.filter((p) => p.transaction_time.startsWith(day));
    expect(await rows(['batch', 'kpis', '--date', day], cwd)).toEqual([kpis(onDay, COGS)]);
    const byHour = await rows<{ hour: string; purchases: number }>(['batch', 'kpis', '--date', day, '--by', 'hour'], cwd);
    expect(byHour.map((r) => [r.hour.slice(0, 13), r.purchases])).toEqual(
      [...new Set(onDay.map((p) => p.transaction_time.slice(0, 13)))].sort().map((h) => [h, onDay.filter((p) => p.transaction_time.startsWith(h)).length]),
    );
    expect(await rows(['batch', 'sql', 'select count(*) as n, count(distinct transaction_id) as t from purchases'], cwd)).toEqual([
      { n: purchases.length, t: new Set(purchases.map((p) => p.transaction_id)).size },
    ]);
  });

  it('skips and counts malformed records, and never loads them', async () => {
    const cwd = tempDir();
    await ok(['generate', '--count', '200', '--seed', '3', '--fast', ...START], cwd);
    const good = embeddedValues(join(cwd, '.salesstream'), 'demo.purchases') as PurchaseRecord[];
    const base = { transaction_time: '2026-01-01 09:00:00.000000', transaction_id: '1', product_id: 'SF07', price: 5.99, quantity: 1, total_purchase: 5.99 };
    const bad = [
      'not json', '{"transaction_time":', '"just text"', '42', '[1,2]', 'null',
      { ...base, total_purchase: undefined }, { ...base, price: '5.99' }, { ...base, quantity: 1.5 }, { ...base, quantity: '2' },
      { ...base, product_id: 123 }, { ...base, product_id: '' }, { ...base, transaction_time: 'yesterday' },
      { ...base, transaction_time: '2022-08-31 24:00:00' }, { ...base, transaction_time: '2022-02-30 10:00:00' },
      { ...base, transaction_time: '2022-08-31 08:00:34+02:00' }, { ...base, transaction_time: '2022-08-31' }, { ...base, transaction_id: 7 },
    ];
    // other spellings DESIGN §2 accepts, an absent or null transaction id, and extra fields load
    const accepted = [
      { ...base, transaction_time: '2026-01-01T09:00:00Z' }, { ...base, transaction_time: '2026-01-01 09:00:00.5' },
      { ...base, transaction_id: null }, { ...base, transaction_id: undefined }, { ...base, extra: { nested: true } },
    ];
    const lines = [...bad, ...accepted].map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    await ok(['produce', 'demo.purchases', '--raw'], cwd, lines.join('\n') + '\n');

    const all = [...good, ...accepted.map((a) => JSON.parse(JSON.stringify(a)) as PurchaseRecord)];
    const top25 = await runCli(['batch', 'top25', '--limit', '50', '--format', 'json'], { cwd });
    expect(skipped(top25.stderr, 'demo.purchases')).toBe(bad.length);
    expect(top25.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual(top(all, 50));
    const kpi = await runCli(['batch', 'kpis', '--format', 'json'], { cwd });
    expect(skipped(kpi.stderr, 'demo.purchases')).toBe(bad.length);
    expect(JSON.parse(kpi.stdout)).toEqual(kpis(all, COGS));
    expect(await rows(['batch', 'sql', 'select count(*) as n from purchases where product_id = \'\' or quantity is null'], cwd)).toEqual([{ n: 0 }]);
  });

  it('ignores an unfinished last line, as a reader of the log must', async () => {
    const cwd = tempDir();
    await ok(['generate', '--count', '100', '--seed', '5', '--fast', ...START], cwd);
    const before = await rows(['batch', 'kpis'], cwd);
    const dir = join(cwd, '.salesstream', 'topics', 'demo.purchases', '0');
    const segment = join(dir, readdirSync(dir).filter((n) => n.endsWith('.ndjson')).sort().pop()!);
    const n = embeddedValues(join(cwd, '.salesstream'), 'demo.purchases').length;
    // a whole record without its newline is still unfinished: the writer has not acknowledged it
    appendFileSync(segment, `{"offset":${n},"timestamp":1,"key":null,"value":{"transaction_time":"2026-01-01 09:00:00","product_id":"SF07","price":5.99,"quantity":1,"total_purchase":5.99}}`);
    const after = await runCli(['batch', 'kpis', '--format', 'json'], { cwd });
    expect(after.code, after.stderr).toBe(0);
    expect(after.stderr).not.toContain('malformed');
    expect(JSON.parse(after.stdout)).toEqual(before[0]);
    appendFileSync(segment, '\n{"offset":'); // and a torn one after it
    expect(await rows(['batch', 'kpis'], cwd)).toEqual([{ ...before[0], purchases: before[0].purchases as number + 1, drinks: before[0].drinks as number + 1, sales: expect.any(Number), gross_profit: expect.any(Number), avg_sale: expect.any(Number), transactions: before[0].transactions }]);
  });

  it('refuses a missing topic or --source with one line and exit 2, and says "no data" with exit 0 for an empty topic', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'a-file'), 'x');
    const commands = [['batch', 'top25'], ['batch', 'kpis'], ['batch', 'sql', 'select 1']];
    const refused = async (args: string[], message: RegExp) => {
      const result = await runCli(args, { cwd });
      expect([result.code, result.stdout], args.join(' ')).toEqual([2, '']);
      expect(result.stderr, args.join(' ')).toMatch(new RegExp(`^salesstream: ${message.source}[^\n]*\n$`));
    };
    for (const command of commands) {
      await refused(command, /unknown topic demo\.purchases in the embedded log at /);
      await refused([...command, '--source', 'a-file'], /--source a-file is not a folder/);
      await refused([...command, '--source', 'nowhere'], /--source nowhere is not a folder/);
      await refused([...command, '--source', '.'], /demo\.purchases was never drained into /);
    }
    await refused(['drain', 'demo.purchases', '--out', 'd'], /unknown topic demo\.purchases in the embedded log at /);

    await ok(['topics', 'create', 'demo.purchases'], cwd);
    await ok(['drain', 'demo.purchases', '--out', 'd'], cwd);
    for (const command of commands.slice(0, 2)) {
      for (const args of [command, [...command, '--source', 'd']]) {
        const empty = await runCli(args, { cwd });
        expect([empty.code, empty.stdout], args.join(' ')).toEqual([0, '']);
        expect(empty.stderr).toMatch(/^no data: demo\.purchases holds no valid purchases/);
      }
    }
    expect(await rows(['batch', 'sql', 'select count(*) as n from purchases'], cwd)).toEqual([{ n: 0 }]);
  });

  it('runs read-only SQL and answers a bad query with one line and exit 2', async () => {
    const cwd = tempDir();
    await ok(['produce', 'demo.purchases', '--file', join(FIXTURES, 'sample_data_small.json')], cwd);
    expect(await rows(['batch', 'sql', 'select category, count(*) as n from products group by 1 order by 1'], cwd)).toHaveLength(4);
    const csv = await ok(['batch', 'sql', 'select product_id, sum(total_purchase) as s from purchases group by 1 order by 2 desc limit 1', '--format', 'csv'], cwd);
    expect(csv.stdout).toBe('product_id,s\r\nSC01,165.03\r\n');
    for (const query of ['select * from nope', 'selec 1', 'select 1; select 2', 'drop table purchases', "copy purchases to '/tmp/x.csv'"]) {
      const result = await runCli(['batch', 'sql', query], { cwd });
      expect(result.code, query).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n'), query).toHaveLength(1);
      expect(result.stderr).toMatch(/^salesstream: /);
    }
  });

  it('refuses bad flags with one line and exit 2', async () => {
    const cwd = tempDir();
    for (const args of [['batch', 'kpis', '--date', '2022-02-30'], ['batch', 'kpis', '--by', 'week'], ['batch', 'top25', '--limit', 'x'], ['batch', 'top25', '--format', 'xml'], ['batch', 'top25', '--source', 'nowhere']]) {
      const result = await runCli(args, { cwd });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('ends the demo with the top-25 table', async () => {
    const cwd = tempDir();
    const demo = await ok(['demo', '--dir', 'demo'], cwd);
    const lines = demo.stdout.split('\n');
    // the last thing the demo shows is the top-25 table (then a line of what to try next)
    const header = lines.lastIndexOf('|product_id| sales|quantity|');
    expect(lines.slice(header - 1, header + 2)).toEqual(['+----------+------+--------+', '|product_id| sales|quantity|', '+----------+------+--------+']);
    const purchases = embeddedValues(join(cwd, 'demo'), 'demo.purchases') as PurchaseRecord[];
    const first = top(purchases)[0];
    expect(lines[header + 2]).toBe(`|      ${first.product_id}|${first.sales.toFixed(2).padStart(6)}|${String(first.quantity).padStart(8)}|`);
    expect(lines[header + 2 + 25]).toMatch(/^\+-+\+-+\+-+\+$/);
  });
});
