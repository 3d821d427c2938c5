import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { parsePurchase } from '../../src/model/purchase.js';
import { KafkaTransport } from '../../src/transport/kafka.js';
import { jsonLines, runCli, tempDir, writeTestConfig, type TestTopics } from '../helpers/cli.js';
import { deletedAfterAll } from '../kafka/cleanup.js';
import { digest, embeddedRecords, type WireRecord } from './digest.js';
import { predictedLate, type TruthLine } from './truth.js';

const brokers = inject('kafkaBrokers');
const FIXTURE = JSON.parse(readFileSync(join(import.meta.dirname, 'classic-digests.json'), 'utf8')) as { runs: { args: string[]; sha256: string }[] };
const MINUTE = 60_000_000;

async function ok(args: string[], cwd: string) {
  const result = await runCli(args, { cwd, timeoutMs: 120_000 });
  expect(result.code, `salesstream ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

/** Every record of a Kafka topic as it is on the wire (the value's exact text). */
async function kafkaRecords(topic: string): Promise<WireRecord[]> {
  const transport = new KafkaTransport(brokers.split(','), { method: 'plaintext' });
  try {
    const ranges = await transport.partitions(topic);
    const records: WireRecord[] = [];
    for await (const batch of transport.read({ topic, from: new Map(ranges.map((r) => [r.partition, r.start])), until: new Map(ranges.map((r) => [r.partition, r.end])) })) {
      for (const r of batch) records.push({ partition: r.partition, offset: r.offset, key: r.key, value: r.value });
    }
    return records;
  } finally {
    await transport.close();
  }
}

describe.skipIf(!brokers)('the generator on Kafka (issue 12)', () => {
  const names = deletedAfterAll(brokers);
  const onKafka = (args: string[]) => ['--brokers', brokers, ...args];
  const roles = (topics: TestTopics) => [['products', topics.products], ['purchases', topics.purchases], ['inventories', topics.inventories]] as const;

  it('--profile classic writes the same topics, byte for byte, as the generator before issue 12', async () => {
    for (const run of FIXTURE.runs.slice(0, 2)) {
      const cwd = tempDir();
      const topics = names.topics('gen12classic');
      writeTestConfig(cwd, topics);
      await ok(onKafka(['generate', ...run.args, '--profile', 'classic']), cwd);
      const content: [string, WireRecord[]][] = [];
      for (const [role, topic] of roles(topics)) content.push([role, await kafkaRecords(topic)]);
      expect(digest(content), run.args.join(' ')).toBe(run.sha256);
    }
  });

  it('--profile chaos: the truth file names the records on Kafka as on the embedded log, and stream window counts what it predicts', async () => {
    const cwd = tempDir();
    const topics = names.topics('gen12chaos');
    writeTestConfig(cwd, topics);
    const args = ['generate', '--count', '6000', '--seed', '44', '--fast', '--start-time', '2026-01-09T15:00:00Z', '--profile', 'chaos', '--late-fraction', '0.05'];
    await ok(onKafka([...args, '--truth', join(cwd, 'kafka.ndjson')]), cwd);
    await ok(['--data-dir', 'embedded', ...args, '--truth', join(cwd, 'embedded.ndjson')], cwd);
    const truth = jsonLines<TruthLine>(readFileSync(join(cwd, 'kafka.ndjson'), 'utf8'));
    // the same configuration (topic names) on both: the same truth, line for line
    expect(readFileSync(join(cwd, 'kafka.ndjson'), 'utf8')).toBe(readFileSync(join(cwd, 'embedded.ndjson'), 'utf8'));
    const written = await kafkaRecords(topics.purchases);
    expect(digest([['purchases', written]])).toBe(digest([['purchases', embeddedRecords(join(cwd, 'embedded'), topics.purchases)]]));
    // what the lines say, checked at their offsets on Kafka
    const at = new Map(written.map((r) => [r.offset, r]));
    for (const l of truth) {
      const r = at.get(l.offset)!;
      if (l.kind === 'malformed') expect(parsePurchase(r.value).ok).toBe(false);
      else expect(JSON.parse(r.value).transaction_time).toBe(l.transaction_time);
      if (l.kind === 'duplicate') expect(at.get(l.of!.offset)!.value).toBe(r.value);
    }
    const window = await ok(onKafka(['stream', 'window', '--size', '10m', '--slide', '5m', '--watermark', '10m', '--until-end', '--format', 'json']), cwd);
    const final = jsonLines(window.stdout).pop();
    const late = predictedLate(truth, { size: 10 * MINUTE, slide: 5 * MINUTE, watermark: 10 * MINUTE });
    expect(late).toBeGreaterThan(0);
    expect({ late: final.late, malformed: final.malformed }).toEqual({ late, malformed: truth.filter((l) => l.kind === 'malformed').length });
  });
});
