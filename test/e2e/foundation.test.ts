import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, collect, embeddedLineCount, jsonLines, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';

const START = ['--fast', '--start-time', '2026-01-01T08:00:00Z'];
const PURCHASE_FIELDS = ['transaction_time', 'transaction_id', 'product_id', 'price', 'quantity', 'is_member', 'member_discount', 'add_supplements', 'supplement_price', 'total_purchase'];

async function ok(args: string[], cwd: string, input?: string) {
  const result = await runCli(args, { cwd, input });
  expect(result.code, `salesstream ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

async function envelopes(cwd: string, topic: string, extra: string[] = []) {
  return jsonLines((await ok(['tail', topic, '--from', 'beginning', '--format', 'json', ...extra], cwd)).stdout);
}

describe('generate, tail and topics on the embedded log', () => {
  it('makes the catalog, ~1.45 purchases per transaction and restocks, by the rules', async () => {
    const cwd = tempDir();
    const gen = await ok(['generate', '--count', '3000', '--seed', '11', ...START], cwd);
    expect(gen.stdout).toMatch(/3,000 transactions \(seed 11\)/);
    const topics = jsonLines((await ok(['topics', '--format', 'json'], cwd)).stdout);
    const count = (name: string) => topics.find((t) => t.name === name)!.records;
    expect(count('demo.products')).toBe(27);
    expect(count('demo.purchases')).toBeGreaterThan(4_150);
    expect(count('demo.purchases')).toBeLessThan(4_550);
    expect(count('demo.inventories')).toBeGreaterThan(0);

    const purchases = await envelopes(cwd, 'demo.purchases');
    expect(purchases).toHaveLength(count('demo.purchases'));
    expect(purchases.map((e) => e.offset)).toEqual(purchases.map((_, i) => i));
    for (const e of purchases) {
      expect(Object.keys(e)).toEqual(['topic', 'partition', 'offset', 'timestamp', 'key', 'value']);
      expect(Object.keys(e.value)).toEqual(PURCHASE_FIELDS);
      expect(e.key).toBe(e.value.product_id);
    }
    const v = purchases.map((e) => e.value);
    expect(v.every((p) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/.test(p.transaction_time) && /^\d+$/.test(p.transaction_id))).toBe(true);
    expect(v.every((p) => p.total_purchase === Math.round(p.quantity * (p.price + p.supplement_price) * (1 - p.member_discount) * 100) / 100)).toBe(true);
    const perTransaction = new Map<string, number>();
    for (const p of v) perTransaction.set(p.transaction_id, (perTransaction.get(p.transaction_id) ?? 0) + 1);
    expect(perTransaction.size).toBe(3000);
    const ones = [...perTransaction.values()].filter((n) => n === 1).length / 3000;
    expect(ones).toBeGreaterThan(0.65 - 0.05);
    expect(ones).toBeLessThan(0.65 + 0.05);
    const first = (await envelopes(cwd, 'demo.products'))[0].value;
    expect(first.event_time).toBe('2026-01-01 08:00:00.000000');
  });

  it('gives the same messages for the same seed and other ones for another seed', async () => {
    const [a, b, c] = [tempDir(), tempDir(), tempDir()];
    await ok(['generate', '--count', '300', '--seed', '5', ...START], a);
    await ok(['generate', '--count', '300', '--seed', '5', ...START], b);
    await ok(['generate', '--count', '300', '--seed', '6', ...START], c);
    const values = async (cwd: string) => (await envelopes(cwd, 'demo.purchases')).map((e) => JSON.stringify([e.key, e.value]));
    expect(await values(b)).toEqual(await values(a));
    expect(await values(c)).not.toEqual(await values(a));
  });

  it('tails exactly the records asked for: --count, --from OFFSET / -N / @TIME, --partition, --where', async () => {
    const cwd = tempDir();
    await ok(['generate', '--count', '400', '--seed', '3', '--partitions', '3', ...START], cwd);
    const all = await envelopes(cwd, 'demo.purchases');
    const p1 = all.filter((e) => e.partition === 1);
    expect(new Set(all.map((e) => e.partition))).toEqual(new Set([0, 1, 2]));

    expect(await envelopes(cwd, 'demo.purchases', ['--partition', '1'])).toEqual(p1);
    const five = jsonLines((await ok(['tail', 'demo.purchases', '--partition', '1', '--from', 'beginning', '--count', '5', '--format', 'json'], cwd)).stdout);
    expect(five).toEqual(p1.slice(0, 5));
    const fromOffset = jsonLines((await ok(['tail', 'demo.purchases', '--partition', '1', '--from', '7', '--format', 'json'], cwd)).stdout);
    expect(fromOffset).toEqual(p1.filter((e) => e.offset >= 7));
    const lastThree = jsonLines((await ok(['tail', 'demo.purchases', '--partition', '1', '--from', '-3', '--format', 'json'], cwd)).stdout);
    expect(lastThree).toEqual(p1.slice(-3));
    const future = jsonLines((await ok(['tail', 'demo.purchases', '--from', '@2099-01-01T00:00:00Z', '--format', 'json'], cwd)).stdout);
    expect(future).toEqual([]);
    const recent = jsonLines((await ok(['tail', 'demo.purchases', '--from', '@-10m', '--format', 'json'], cwd)).stdout);
    expect(recent).toHaveLength(all.length);
    const sf07 = await envelopes(cwd, 'demo.purchases', ['--where', 'product_id=SF07', '--where', 'quantity=1']);
    expect(sf07).toEqual(all.filter((e) => e.value.product_id === "SF07" && e.value.quantity === 1));
    expect(sf07.length).toBeGreaterThan(0);
    const lastTen = jsonLines((await ok(['tail', 'demo.purchases', '--format', 'json'], cwd)).stdout);
    expect(lastTen).toHaveLength(10);
  });

  it('produces a JSON array, JSON lines from stdin with keys, and raw lines', async () => {
    const cwd = tempDir();
    const small = JSON.parse(readFileSync(join(FIXTURES, 'sample_data_small.json'), 'utf8'));
    await ok(['produce', 'sales', '--file', join(FIXTURES, 'sample_data_small.json'), '--key-field', 'product_id'], cwd);
    const sales = await envelopes(cwd, 'sales');
    expect(sales.map((e) => e.value)).toEqual(small);
    expect(sales.map((e) => e.key)).toEqual(small.map((p: { product_id: string }) => p.product_id));

    await ok(['produce', 'lines'], cwd, '{"a":1}\n{"a":2}\n\n{"a":3}\n');
    expect((await envelopes(cwd, 'lines')).map((e) => [e.key, e.value])).toEqual([[null, { a: 1 }], [null, { a: 2 }], [null, { a: 3 }]]);

    const bad = await runCli(['produce', 'lines'], { cwd, input: '{"a":1}\nnot json\n' });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(['salesstream: standard input line 2: not valid JSON; use --raw to send lines unparsed']);

    await ok(['produce', 'raw', '--raw'], cwd, 'not json\n{"half":\n{"ok":true}\n');
    expect((await envelopes(cwd, 'raw')).map((e) => e.value)).toEqual(['not json', '{"half":', { ok: true }]);
  });

  it('creates, lists and deletes topics', async () => {
    const cwd = tempDir();
    await ok(['topics', 'create', 'things', '--partitions', '4'], cwd);
    expect(jsonLines((await ok(['topics', 'list', '--format', 'json'], cwd)).stdout)).toEqual([{ name: 'things', partitions: 4, records: 0 }]);
    await ok(['topics', 'delete', 'things'], cwd);
    expect((await ok(['topics', '--format', 'json'], cwd)).stdout).toBe('');
    const gone = await runCli(['tail', 'things'], { cwd });
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/^salesstream: unknown topic things/);
  });

  it('refuses bad flags with one line and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['generate', '--count', 'abc'], /^salesstream: --count "abc" is not accepted: use a whole number ≥ 0$/],
      [['generate', '--keys', 'uuid'], /--keys "uuid" is not accepted: use product_id or none/],
      [['generate', '--start-time', 'noon'], /--start-time "noon" is not accepted/],
      [['generate', '--bogus'], /unknown option '--bogus'/],
      [['tail', 'demo.purchases', '--from', 'yesterday'], /--from "yesterday" is not accepted/],
      [['topics', 'create', '../etc'], /topic "..\/etc" is not accepted/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const cwd = tempDir();
    writeFileSync(join(cwd, 'bad.ini'), '[SALES]\nmember_freq = 12\n');
    const r = await runCli(['--config', 'bad.ini', 'generate', '--count', '1'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/member_freq = "12" is not accepted: use a whole number from 0 to 10/);
  });
});

describe('concurrency and crashes on the embedded log', () => {
  it('a reader following with tail -f sees records as a writer makes them', async () => {
    const cwd = tempDir();
    await ok(['topics', 'create', 'demo.purchases'], cwd);
    const reader = startCli(['tail', 'demo.purchases', '-f', '--from', 'beginning', '--format', 'json'], { cwd });
    const seen: number[] = [];
    reader.stdout!.on('data', (d: string) => {
      for (const line of d.split('\n').filter(Boolean)) seen.push(JSON.parse(line).offset);
    });
    const readerDone = collect(reader, 180_000);
    // an unbounded live writer: the reader must show records while it is still writing
    const writer = startCli(['generate', '--count', '0', '--rate', '20', '--seed', '9'], { cwd });
    const writerDone = collect(writer, 180_000);
    await waitFor('tail -f to show the first records', () => seen.length >= 3);
    const stillWriting = writer.exitCode === null;
    writer.kill('SIGINT');
    expect((await writerDone).code).toBe(0);
    expect(stillWriting).toBe(true);
    const written = jsonLines((await ok(['topics', '--format', 'json'], cwd)).stdout).find((t) => t.name === 'demo.purchases')!.records;
    await waitFor('tail -f to show every record written', () => seen.length >= written);
    reader.kill('SIGINT');
    await readerDone;
    expect(seen).toEqual(Array.from({ length: written }, (_, i) => i));
  });

  it('kill -9 of a writer leaves a whole log that the next writer continues', async () => {
    const cwd = tempDir();
    const writer = startCli(['generate', '--count', '0', '--seed', '4', '--fast'], { cwd });
    const done = collect(writer, 180_000);
    await waitFor('the writer to append 1,000 purchases', () => embeddedLineCount(cwd, 'demo.purchases') > 1000);
    writer.kill('SIGKILL');
    await done;
    const before = await envelopes(cwd, 'demo.purchases');
    expect(before.length).toBeGreaterThan(1000);
    expect(before.map((e) => e.offset)).toEqual(before.map((_, i) => i));
    // the dead writer's lock is taken over; offsets continue with no gap or duplicate
    await ok(['generate', '--count', '100', '--seed', '5', '--fast'], cwd);
    const after = await envelopes(cwd, 'demo.purchases');
    expect(after.length).toBeGreaterThan(before.length + 100);
    expect(after.map((e) => e.offset)).toEqual(after.map((_, i) => i));
    expect(after.slice(0, before.length)).toEqual(before);
  });

  it('refuses a second live writer on the same topic', async () => {
    const cwd = tempDir();
    const first = startCli(['generate', '--count', '0', '--rate', '5', '--seed', '1'], { cwd });
    await waitFor('the first writer to append purchases', () => embeddedLineCount(cwd, 'demo.purchases') > 0);
    const second = await runCli(['generate', '--count', '5', '--fast'], { cwd });
    first.kill('SIGINT');
    const firstResult = await collect(first);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/is being written by process \d+; the embedded log allows one writer per topic/);
    expect(firstResult.code).toBe(0);
    expect(firstResult.stdout).toMatch(/^stopped: /);
  });

  it('runs the demo', async () => {
    const cwd = tempDir();
    const demo = await ok(['demo'], cwd);
    expect(demo.stdout).toMatch(/demo\.purchases/);
    // 500 customers come; with the realistic profile's stock-outs a few leave with nothing
    const made = Number(/([\d,]+) transactions/.exec(demo.stdout)?.[1].replace(/,/g, ''));
    expect(made).toBeGreaterThan(400);
    expect(made).toBeLessThanOrEqual(500);
  });
});
