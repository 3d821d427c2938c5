import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { KafkaTransport } from '../../src/transport/kafka.js';
import { deletedAfterAll } from './cleanup.js';
import { FIXTURES, jsonLines, runCli, tempDir, writeTestConfig } from '../helpers/cli.js';

const brokers = inject('kafkaBrokers');
const START = ['--fast', '--start-time', '2026-01-01T08:00:00Z'];

async function ok(args: string[], cwd: string, input?: string) {
  const result = await runCli(args, { cwd, input, timeoutMs: 180_000 });
  expect(result.code, `salesstream ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

describe.skipIf(!brokers)('salesstream on a real Kafka broker', { timeout: 300_000 }, () => {
  const names = deletedAfterAll(brokers);
  const onKafka = (args: string[]) => ['--brokers', brokers, ...args];
  const all = (topic: string) => ['tail', topic, '--from', 'beginning', '--format', 'json'];

  it('generates the same content as the embedded log for the same seed, and tails it back', async () => {
    const cwd = tempDir();
    const topics = names.topics('gen');
    writeTestConfig(cwd, topics);
    await ok(onKafka(['generate', '--count', '3000', '--seed', '11', '--partitions', '2', ...START]), cwd);
    await ok(['generate', '--count', '3000', '--seed', '11', '--partitions', '2', ...START], cwd);
    for (const topic of Object.values(topics)) {
      const kafka = jsonLines((await ok(onKafka(all(topic)), cwd)).stdout);
      const embedded = jsonLines((await ok(all(topic), cwd)).stdout);
      expect(kafka.length).toBeGreaterThan(0);
      const content = (records: any[]) => records.map((e) => JSON.stringify([e.partition, e.offset, e.key, e.value])).sort();
      expect(content(kafka)).toEqual(content(embedded));
    }
    const listed = jsonLines((await ok(onKafka(['topics', '--format', 'json']), cwd)).stdout);
    expect(listed.find((t) => t.name === topics.products)).toEqual({ name: topics.products, partitions: 2, records: 27 });
    const counted = await ok(onKafka(['tail', topics.purchases, '--from', 'beginning', '--count', '7', '--format', 'json']), cwd);
    expect(jsonLines(counted.stdout)).toHaveLength(7);
  });

  it('answers admin requests made at once (topics created while others\' offsets are asked for)', async () => {
    const base = names.topic('admin');
    const existing = [1, 2, 3].map((partitions) => ({ name: `${base}.p${partitions}`, partitions }));
    const creator = new KafkaTransport(brokers.split(','), { method: 'none' });
    for (const { name, partitions } of existing) await creator.createTopic(name, partitions);
    await creator.close();
    const transport = new KafkaTransport(brokers.split(','), { method: 'none' });
    try {
      // kafkajs's admin, asked concurrently, lost a topic's metadata: its offsets came back empty (a TypeError)
      for (let round = 0; round < 5; round++) {
        const asked = await Promise.all([
          transport.createTopic(`${base}.new${round}`, 1),
          ...Array.from({ length: 20 }, (_, i) => new Promise((r) => setTimeout(r, i * 15)).then(() => transport.partitions(existing[i % 3].name))),
        ]);
        asked.slice(1).forEach((ranges, i) => expect(ranges).toHaveLength(existing[i % 3].partitions));
      }
    } finally {
      await transport.close();
    }
  });

  it('produces and tails keyed JSON and raw records', async () => {
    const cwd = tempDir();
    const keyed = names.topic('keyed');
    const raw = names.topic('raw');
    await ok(onKafka(['produce', keyed, '--file', join(FIXTURES, 'sample_date_new.json'), '--key-field', 'product_id', '--partitions', '3']), cwd);
    const records = jsonLines((await ok(onKafka(all(keyed)), cwd)).stdout);
    expect(records).toHaveLength(307);
    expect(records.every((e) => e.key === e.value.product_id)).toBe(true);
    const partitionsOfKey = new Map<string, Set<number>>();
    for (const e of records) partitionsOfKey.set(e.key, (partitionsOfKey.get(e.key) ?? new Set()).add(e.partition));
    expect([...partitionsOfKey.values()].every((s) => s.size === 1)).toBe(true);

    await ok(onKafka(['produce', raw, '--raw']), cwd, 'not json\n{"half":\n{"ok":true}\n');
    expect(jsonLines((await ok(onKafka(all(raw)), cwd)).stdout).map((e) => e.value)).toEqual(['not json', '{"half":', { ok: true }]);
    const where = jsonLines((await ok(onKafka([...all(keyed), '--where', 'product_id=SF05']), cwd)).stdout);
    expect(where.map((e) => e.offset)).toEqual(records.filter((e) => e.value.product_id === 'SF05').map((e) => e.offset));
  });

  it('refuses a record over the broker\'s size limit with one line and exit 2', async () => {
    const cwd = tempDir();
    const topic = names.topic('big');
    const big = JSON.stringify({ note: 'x'.repeat(2_000_000) }); // Kafka's default limit: 1 MiB
    writeFileSync(join(cwd, 'big.ndjson'), `{"small":1}\n${big}\n`);
    const r = await runCli(onKafka(['produce', topic, '--raw', '--file', 'big.ndjson']), { cwd, timeoutMs: 180_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^salesstream: a record of ${big.length} bytes is larger than Kafka at .* accepts for ${topic.replaceAll('.', '\\.')}`));
  });

  it('lists topics while other clients delete topics', async () => {
    const cwd = tempDir();
    const doomed = Array.from({ length: 12 }, (_, i) => names.topic(`doomed${i}`));
    const admin = new kafkajs.Kafka({ brokers: [brokers], logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: doomed.map((topic) => ({ topic, numPartitions: 2 })), waitForLeaders: false });
      const deleting = (async () => {
        for (const topic of doomed) await admin.deleteTopics({ topics: [topic] });
      })();
      const listings = [await ok(onKafka(['topics', '--format', 'json']), cwd), await ok(onKafka(['topics', '--format', 'json']), cwd)];
      await deleting;
      const after = jsonLines((await ok(onKafka(['topics', '--format', 'json']), cwd)).stdout).map((t) => t.name);
      expect(listings.every((l) => l.code === 0)).toBe(true);
      expect(after.filter((n) => doomed.includes(n))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  it('creates and deletes topics', async () => {
    const cwd = tempDir();
    const name = names.topic('admin');
    await ok(onKafka(['topics', 'create', name, '--partitions', '3']), cwd);
    expect(jsonLines((await ok(onKafka(['topics', '--format', 'json']), cwd)).stdout)).toContainEqual({ name, partitions: 3, records: 0 });
    await ok(onKafka(['topics', 'delete', name]), cwd);
    const after = jsonLines((await ok(onKafka(['topics', '--format', 'json']), cwd)).stdout);
    expect(after.map((t) => t.name)).not.toContain(name);
  });
});

describe('an unreachable broker', () => {
  it('fails with one clear line within 20 seconds', async () => {
    const started = Date.now();
    const r = await runCli(['--brokers', '127.0.0.1:1', 'generate', '--count', '10', '--fast'], { timeoutMs: 30_000 });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^salesstream: cannot reach Kafka at 127\.0\.0\.1:1/);
  }, 30_000);
});
