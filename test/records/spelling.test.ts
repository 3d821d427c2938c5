// Issue 13 item 17: purchases carry the original generator's number spelling for its floats
// ("member_discount":0.0, "supplement_price":0.0, never 0), on disk and on Kafka, and
// `tail --format json` prints values as they are on the wire.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ok } from '../batch/cli.js';
import { runCli, tempDir, uniqueTopics, writeTestConfig } from '../helpers/cli.js';

const ZERO_FLOAT = /"(member_discount|supplement_price)":0[,}]/;


describe('number spelling of the original generator', () => {
  it('generate writes 0.0 and 0.1 into the embedded log', async () => {
    const cwd = tempDir();
    await ok(['generate', '--count', '60', '--fast', '--seed', '4'], cwd);
    const dir = join(cwd, '.salesstream', 'topics', 'demo.purchases', '0');
    const text = readdirSync(dir).filter((n) => n.endsWith('.ndjson')).map((n) => readFileSync(join(dir, n), 'utf8')).join('');
    for (const spelling of ['"member_discount":0.0,', '"member_discount":0.1,', '"supplement_price":0.0,', '"supplement_price":1.99,']) expect(text).toContain(spelling);
    expect(text).not.toMatch(ZERO_FLOAT);
  });

  it('on Kafka, and tail --format json prints the values as they are on the wire', async () => {
    const cwd = tempDir();
    const topics = uniqueTopics('spelling');
    writeTestConfig(cwd, topics);
    const kafka = (args: string[]) => ['--brokers', '127.0.0.1:9092', ...args];
    try {
      await ok(kafka(['generate', '--count', '60', '--fast', '--seed', '4']), cwd);
      const tail = (await ok(kafka(['tail', topics.purchases, '--from', 'beginning', '--format', 'json']), cwd)).stdout;
      expect(tail.trim().split('\n').length).toBeGreaterThan(60);
      expect(tail).toContain('"member_discount":0.0,');
      expect(tail).toContain('"supplement_price":0.0,');
      expect(tail).not.toMatch(ZERO_FLOAT);
    } finally {
      for (const topic of Object.values(topics)) await runCli(kafka(['topics', 'delete', topic]), { cwd });
    }
  }, 120_000);
});
