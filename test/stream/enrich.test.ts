import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { collect, FIXTURES, jsonLines, killedAfter, runCli, startCli, tempDir } from '../helpers/cli.js';
import { rng, wireTime } from './reference.js';
import { canonical, enrichInput, enrichResult, joinable } from './enrich-reference.js';

const START = Date.UTC(2026, 0, 1, 8) * 1000;

async function ok(args: string[], cwd: string) {
  const result = await runCli(args, { cwd, timeoutMs: 90_000 });
  expect(result.code, `salesstream ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

const tail = async (topic: string, cwd: string) => jsonLines((await ok(['tail', topic, '--from', 'beginning', '--format', 'json'], cwd)).stdout);
const text = (e: { value: unknown }) => (typeof e.value === 'string' ? e.value : JSON.stringify(e.value));

function produce(cwd: string, topic: string, lines: string[], partitions = 1) {
  const file = join(cwd, `in-${Math.random().toString(36).slice(2)}.ndjson`);
  writeFileSync(file, lines.join('\n') + '\n');
  return ok(['produce', topic, '--file', file, '--raw', '--partitions', String(partitions)], cwd);
}

/** Waits for a condition on the job's JSON lines, with a generous bound. */
async function until(stdout: () => string, condition: (last: any) => boolean, what: string) {
  for (let waited = 0; waited < 60_000; waited += 100) {
    const last = jsonLines(stdout()).at(-1);
    if (last && condition(last)) return last;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}: ${stdout().split('\n').slice(-3).join('\n')}`);
}

describe('salesstream stream enrich on the embedded log', () => {
  it('refuses an unknown catalog topic and a bad --max-wait with one line, exit 2', async () => {
    const cwd = tempDir();
    await produce(cwd, 'demo.purchases', []);
    for (const [args, message] of [[[], /unknown topic demo\.products/], [['--max-wait', 'soon'], /--max-wait "soon" is not a duration/]] as const) {
      const r = await runCli(['stream', 'enrich', '--until-end', ...args], { cwd });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^salesstream: .*\n$/);
      expect(r.stderr).toMatch(message);
    }
  });

  it('--until-end equals an independent temporal join record for record (versions changing, out of order, re-published, malformed)', async () => {
    for (const seed of [1, 2]) {
      const cwd = tempDir();
      const input = enrichInput(seed, 1500, START);
      // purchases first: many arrive before the catalog records of their products
      await produce(cwd, 'demo.purchases', input.purchases, 2);
      await produce(cwd, 'demo.products', input.catalog);
      const run = await ok(['stream', 'enrich', '--until-end', '--format', 'json', '--unmatched', 'nomatch', '--dlq', 'dead', '--trigger', '100ms'], cwd);
      const expected = enrichResult(input.catalog, input.purchases);
      const enriched = await tail('demo.purchases.enriched', cwd);
      expect(canonical(enriched.map((e) => e.value))).toEqual(canonical(expected.enriched));
      expect(enriched.every((e) => e.key === e.value.product_id)).toBe(true);
      expect((await tail('nomatch', cwd)).map(text).sort()).toEqual(expected.unmatched.slice().sort());
      expect((await tail('dead', cwd))).toHaveLength(expected.malformed);
      const last = jsonLines(run.stdout).at(-1);
      expect([last.enriched, last.unmatched, last.malformed, last.waiting, last.catalog_malformed])
        .toEqual([expected.enriched.length, expected.unmatched.length, expected.malformed, 0, expected.catalogMalformed]);
      expect(expected.unmatched.length).toBeGreaterThan(10);
      expect(run.stderr).toMatch(/malformed record demo\.purchases\[\d\]@\d+: /);
      expect(run.stderr).toMatch(/unmatched purchase demo\.purchases\[\d\]@\d+: product P\d has no version at /);
      // a second run reads nothing again and writes nothing
      const again = await ok(['stream', 'enrich', '--until-end', '--format', 'json'], cwd);
      expect(jsonLines(again.stdout).at(-1).events).toBe(0);
      expect(await tail('demo.purchases.enriched', cwd)).toHaveLength(enriched.length);
    }
  }, 240_000);

  it('enriches the original generator\'s recorded output (no keys, no transaction ids) into what the original dashboard showed', async () => {
    const cwd = tempDir();
    // the catalog as the original published it (no keys), at the start of the recorded day
    await ok(['generate', '--count', '1', '--seed', '1', '--fast', '--keys', 'none', '--start-time', '2022-08-31T00:00:00Z'], cwd);
    await ok(['produce', 'demo.purchases', '--file', join(FIXTURES, 'sample_data_small.json')], cwd);
    await ok(['stream', 'enrich', '--until-end', '--unmatched', 'nomatch'], cwd);
    const recorded = (await tail('demo.purchases.enriched', cwd)).map((e) => e.value).filter((v) => v.transaction_id === null);
    const cents = (f: (v: any) => number) => Math.round(recorded.reduce((sum, v) => sum + f(v) * 100, 0));
    // DESIGN §8: 290 sales records, 352 drinks, sales $2,094.74, gross profit $1,223.28
    expect(recorded).toHaveLength(290);
    expect(recorded.reduce((n, v) => n + v.purchase_quantity, 0)).toBe(352);
    expect(cents((v) => v.total_purchase)).toBe(209_474);
    expect(cents((v) => v.purchase_quantity * (v.product_price - v.product_cogs))).toBe(122_328);
    expect(await tail('nomatch', cwd)).toEqual([]);
  }, 180_000);

  it('generate --price-changes then enrich: one record per purchase, each with the price valid at its time', async () => {
    const cwd = tempDir();
    await ok(['generate', '--count', '5000', '--seed', '3', '--fast', '--price-changes', '20', '--start-time', '2026-01-01T08:00:00Z'], cwd);
    await ok(['stream', 'enrich', '--until-end', '--format', 'json'], cwd);
    const purchases = (await tail('demo.purchases', cwd)).map(text);
    const catalog = (await tail('demo.products', cwd)).map(text);
    expect(catalog.length).toBeGreaterThan(27);
    const enriched = (await tail('demo.purchases.enriched', cwd)).map((e) => e.value);
    expect(canonical(enriched)).toEqual(canonical(enrichResult(catalog, purchases).enriched));
    expect(enriched).toHaveLength(purchases.length);
    expect(enriched.filter((e) => e.product_price !== e.purchase_price)).toEqual([]);
    expect(new Set(enriched.map((e) => e.product_price + e.product_id)).size).toBeGreaterThan(new Set(enriched.map((e) => e.product_id)).size);
  }, 180_000);

  it('a purchase waits for its product\'s version (up to --max-wait), then it is unmatched; re-publishing the catalog emits nothing', async () => {
    const cwd = tempDir();
    const input = enrichInput(3, 50, START);
    await produce(cwd, 'demo.products', input.catalog);
    await produce(cwd, 'demo.purchases', []);
    const child = startCli(['stream', 'enrich', '--format', 'json', '--trigger', '100ms', '--max-wait', '60s', '--unmatched', 'nomatch'], { cwd });
    let stdout = '';
    child.stdout!.on('data', (d) => (stdout += d));
    const done = collect(child, 120_000);
    const purchase = (id: string, t: number) => JSON.stringify({ transaction_time: wireTime(t), transaction_id: id, product_id: 'NEW', price: 3.5, quantity: 1, is_member: false, member_discount: 0, add_supplements: false, supplement_price: 0, total_purchase: 3.5 });
    // well after the catalog's watermark: only the catalog having been read can decide it
    const LATER = START + 10 * 3_600_000_000;
    await produce(cwd, 'demo.purchases', [purchase('1', LATER)]);
    await until(() => stdout, (t) => t.waiting === 1 && t.events === 1, 'the purchase to wait');
    const late = { event_time: wireTime(START), product_id: 'NEW', category: 'New', item: 'Newcomer', size: '24 oz.', cogs: 1, price: 3.5, inventory_level: 1, contains_fruit: true, contains_veggies: false, contains_nuts: false, contains_caffeine: false, propensity_to_buy: 1 };
    await produce(cwd, 'demo.products', [JSON.stringify(late)]);
    await until(() => stdout, (t) => t.enriched === 1 && t.waiting === 0, 'the purchase to be enriched');
    // the catalog again: nothing changes, nothing comes out
    await produce(cwd, 'demo.products', [...input.catalog, JSON.stringify(late)]);
    await until(() => stdout, (t) => t.catalog_malformed === 2 * enrichResult(input.catalog, []).catalogMalformed, 'the catalog to be read again');
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
    expect((await tail('demo.purchases.enriched', cwd)).map((e) => e.value.transaction_id)).toEqual(['1']);
    // with a short --max-wait, a purchase of a product that never comes is unmatched while the job runs
    await produce(cwd, 'demo.purchases', [purchase('2', LATER).replace('"NEW"', '"NEVER"')]);
    const second = startCli(['stream', 'enrich', '--format', 'json', '--trigger', '100ms', '--max-wait', '300ms', '--unmatched', 'nomatch'], { cwd });
    let out2 = '';
    second.stdout!.on('data', (d) => (out2 += d));
    const done2 = collect(second, 120_000);
    await until(() => out2, (t) => t.unmatched === 1, 'the purchase to be unmatched');
    second.kill('SIGINT');
    expect((await done2).code).toBe(0);
    expect((await tail('nomatch', cwd)).map((e) => e.value.transaction_id)).toEqual(['2']);
    expect(await tail('demo.purchases.enriched', cwd)).toHaveLength(1);
  }, 240_000);

  it('killed with SIGKILL at random moments and restarted, writes each enriched purchase exactly once', async () => {
    const cwd = tempDir();
    const r = rng(77);
    const input = enrichInput(4, 6000, START);
    await produce(cwd, 'demo.products', input.catalog);
    const chunks = 6;
    const size = Math.ceil(input.purchases.length / chunks);
    const enrich = ['stream', 'enrich', '--trigger', '20ms', '--format', 'json', '--max-wait', '200ms', '--unmatched', 'nomatch', '--dlq', 'dead'];
    let killed = 0;
    for (let i = 0; i < chunks; i++) {
      await produce(cwd, 'demo.purchases', input.purchases.slice(i * size, (i + 1) * size), 2);
      if (await killedAfter(enrich, { cwd }, () => sleep(r.int(300, 1200)))) killed++;
    }
    expect(killed).toBeGreaterThanOrEqual(4);
    await ok([...enrich, '--until-end'], cwd);
    const expected = enrichResult(input.catalog, input.purchases);
    expect(canonical((await tail('demo.purchases.enriched', cwd)).map((e) => e.value))).toEqual(canonical(expected.enriched));
    expect((await tail('nomatch', cwd)).map(text).sort()).toEqual(expected.unmatched.slice().sort());
    const dead = (await tail('dead', cwd)).map((d) => d.value.value).sort();
    expect(dead).toEqual(input.purchases.filter((l) => !joinable(l)).sort());
  }, 240_000);
});
