import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { deletedAfterAll } from './cleanup.js';
import { ok, rows, skipped } from '../batch/cli.js';
import { catalogCogs, kpis, type PurchaseRecord } from '../batch/oracle.js';
import { FIXTURES, runCli, tempDir, writeTestConfig } from '../helpers/cli.js';

const brokers = inject('kafkaBrokers');
const START = ['--fast', '--start-time', '2026-01-01T08:00:00Z'];

// each test runs the binary many times against a shared broker: slow when the cores are busy
describe.skipIf(!brokers).concurrent('batch and drain on a real Kafka broker', { timeout: 300_000 }, () => {
  const names = deletedAfterAll(brokers);
  const onKafka = (args: string[]) => ['--brokers', brokers, ...args];

  it('gives the original dashboard figures for sample_data_small', async () => {
    const cwd = tempDir();
    const topics = names.topics('kpis');
    writeTestConfig(cwd, topics);
    await ok(onKafka(['produce', topics.purchases, '--file', join(FIXTURES, 'sample_data_small.json')]), cwd);
    expect(await rows(onKafka(['batch', 'kpis']), cwd)).toEqual([{ purchases: 290, transactions: null, drinks: 352, sales: 2094.74, gross_profit: 1223.28, avg_sale: 7.22 }]);
  });

  it('answers as the embedded log does for the same seed, and caches only what is new', async () => {
    const cwd = tempDir();
    const topics = names.topics('same');
    writeTestConfig(cwd, topics);
    const both = async (args: string[]) => {
      await ok(onKafka(args), cwd);
      await ok(args, cwd);
    };
    const same = async (args: string[]) => {
      const kafka = await rows(onKafka(args), cwd);
      expect(kafka.length).toBeGreaterThan(0);
      expect(kafka).toEqual(await rows(args, cwd));
    };
    await both(['generate', '--count', '1500', '--seed', '31', '--partitions', '3', ...START]);
    await same(['batch', 'top25']);
    await same(['batch', 'kpis', '--by', 'category']);

    await both(['generate', '--count', '500', '--seed', '32', ...START]);
    await same(['batch', 'top25', '--limit', '30']);
    await same(['batch', 'sql', `select count(*) as n, sum(total_purchase) as sales from purchases`]);
    const cache = readdirSync(join(cwd, '.salesstream', 'cache'));
    expect(cache).toHaveLength(1);
    const drained = JSON.parse(readFileSync(join(cwd, '.salesstream', 'cache', cache[0], topics.purchases, 'drain.json'), 'utf8'));
    const [n] = await rows<{ n: number }>(['batch', 'sql', 'select count(*) as n from purchases'], cwd);
    expect(Object.values(drained.partitions).reduce((s: number, p: any) => s + p.records, 0)).toBe(n.n);
  });

  it('counts records that are not JSON as malformed, keeps them in the rejects file, and drains incrementally', async () => {
    const cwd = tempDir();
    const topics = names.topics('bad');
    writeTestConfig(cwd, topics);
    await ok(onKafka(['generate', '--count', '300', '--seed', '33', ...START]), cwd);
    const d1 = await ok(onKafka(['drain', topics.purchases, '--out', 'd']), cwd);
    const first = Number(/: \+([\d,]+) records/.exec(d1.stdout)![1].replaceAll(',', ''));
    const good = JSON.stringify({ transaction_time: '2026-01-01 09:00:00', product_id: 'SF07', price: 5.99, quantity: 1, total_purchase: 5.99 });
    await ok(onKafka(['produce', topics.purchases, '--raw']), cwd, ['not json', good, '{"price":5.99}', '{"a":'].join('\n'));
    const d2 = await ok(onKafka(['drain', topics.purchases, '--out', 'd']), cwd);
    expect(d2.stdout).toContain(': +2 records, 2 rejected as not JSON');
    const rejects = readFileSync(join(cwd, 'd', topics.purchases, 'rejects.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rejects.map((r) => [r.topic, r.partition, r.offset, r.value])).toEqual([[topics.purchases, 0, first, 'not json'], [topics.purchases, 0, first + 3, '{"a":']]);

    const viaKafka = await runCli(onKafka(['batch', 'kpis', '--format', 'json']), { cwd });
    expect(viaKafka.code, viaKafka.stderr).toBe(0);
    expect(skipped(viaKafka.stderr, topics.purchases)).toBe(3);
    const viaFolder = await runCli(['batch', 'kpis', '--source', 'd', '--format', 'json'], { cwd });
    expect(skipped(viaFolder.stderr, topics.purchases)).toBe(3);
    expect(JSON.parse(viaFolder.stdout)).toEqual(JSON.parse(viaKafka.stdout));
    expect(JSON.parse(viaKafka.stdout).purchases).toBe(first + 1);
  });

  it('notices a topic deleted and re-created with other records, and caches it again from the beginning', async () => {
    const cwd = tempDir();
    const topics = names.topics('recreated');
    writeTestConfig(cwd, topics);
    const cogs = catalogCogs(resolve(import.meta.dirname, '../../configuration/products.csv'));
    const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as PurchaseRecord[];
    const small = fixture('sample_data_small.json');
    const large = fixture('sample_data_large.json');
    // as many records as the first topic held, so its end offset alone cannot tell
    writeFileSync(join(cwd, 'same-count.json'), JSON.stringify(large.slice(0, small.length)));
    const recreated = /is not the topic read before/;
    try {
      await ok(onKafka(['produce', topics.purchases, '--file', join(FIXTURES, 'sample_data_small.json')]), cwd);
      const first = await runCli(onKafka(['batch', 'kpis', '--format', 'json']), { cwd });
      expect(JSON.parse(first.stdout)).toEqual(kpis(small, cogs));
      expect(first.stderr).not.toMatch(recreated);

      for (const [file, records] of [['same-count.json', large.slice(0, small.length)], [join(FIXTURES, 'sample_data_large.json'), large]] as const) {
        await ok(onKafka(['topics', 'delete', topics.purchases]), cwd);
        await ok(onKafka(['produce', topics.purchases, '--file', file]), cwd);
        const again = await runCli(onKafka(['batch', 'kpis', '--format', 'json']), { cwd });
        expect(again.code, again.stderr).toBe(0);
        expect(again.stderr).toMatch(recreated);
        expect(JSON.parse(again.stdout)).toEqual(kpis(records, cogs));
        // and the next run reuses the new cache without a word
        const cached = await runCli(onKafka(['batch', 'kpis', '--format', 'json']), { cwd });
        expect(cached.stderr).not.toMatch(recreated);
        expect(JSON.parse(cached.stdout)).toEqual(kpis(records, cogs));
      }
    } finally {
      await runCli(onKafka(['topics', 'delete', topics.purchases]), { cwd });
    }
  });
});
