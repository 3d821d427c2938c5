import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, inject, it } from 'vitest';
import { deletedAfterAll } from './cleanup.js';
import { onBroker } from './on-broker.js';
import type { ChildProcess } from 'node:child_process';
import { collect, jsonLines, startCli, tempDir, writeTestConfig, type CliResult } from '../helpers/cli.js';
import { latestByKey, MINUTE_US, messyPurchases, rng, sale, totalsResult, windowResult } from '../stream/reference.js';

const brokers = inject('kafkaBrokers');

describe.skipIf(!brokers)('salesstream stream on a real Kafka broker', { timeout: 300_000 }, () => {
  const names = deletedAfterAll(brokers);
  const { kafka, ok, values } = onBroker(brokers, 180_000);

  function setup(name: string) {
    const cwd = tempDir();
    const topics = names.topics(name);
    writeTestConfig(cwd, topics);
    const r = rng(Number.parseInt(topics.purchases.split('.')[1].slice(-6), 36));
    const sink = `${topics.purchases}.totals`;
    const dlq = `${topics.purchases}.dead`;
    const group = `${topics.purchases}.g`;
    const malformed = (n: number) => {
      const file = join(cwd, `bad-${r.int(0, 1e9)}.ndjson`);
      writeFileSync(file, Array.from({ length: n }, (_, i) => (i % 2 ? 'not json' : '{"transaction_time":"2026-01-01 08:00:00","product_id":"SC01"}')).join('\n') + '\n');
      return ok(['produce', topics.purchases, '--file', file, '--raw', '--partitions', '3'], cwd);
    };
    const totals = ['stream', 'totals', '--group', group, '--sink', sink, '--dlq', dlq, '--trigger', '100ms', '--session-timeout', '6s', '--format', 'json'];
    const start = () => {
      const child = startCli(kafka(totals), { cwd });
      return { child, done: collect(child, 240_000) };
    };
    /** The sink read-committed, latest value per product, against totals computed over the input. */
    const check = async () => {
      const input = await values(topics.purchases, cwd);
      const expected = totalsResult(input.map((e) => e.text));
      const actual = latestByKey(await values(sink, cwd));
      const dead = (await values(dlq, cwd)).map((d) => `${d.value.partition}@${d.value.offset}`).sort();
      const bad = input.filter((e) => !sale(e.text)).map((e) => `${e.partition}@${e.offset}`).sort();
      return { expected, actual, dead, bad };
    };
    return { cwd, topics, sink, dlq, group, r, malformed, totals, start, check };
  }

  const generate = (cwd: string, count: number, rate: number) =>
    collect(startCli(kafka(['generate', '--count', String(count), '--seed', '5', '--rate', String(rate), '--partitions', '3', '--start-time', '2026-01-01T08:00:00Z']), { cwd }), 180_000);

  async function kill(run: { child: ChildProcess; done: Promise<CliResult> }) {
    run.child.kill('SIGKILL');
    const result = await run.done;
    if (result.signal !== 'SIGKILL') expect(result.code, result.stderr).toBe(0);
    return result.signal === 'SIGKILL';
  }

  it('stream window --until-end gives the DESIGN §4 result from Kafka too', async () => {
    const cwd = tempDir();
    const topic = names.topics('win').purchases;
    const lines = messyPurchases(11, 1000, { start: Date.UTC(2026, 0, 1, 8) * 1000, delay: 10 * MINUTE_US, slide: 5 * MINUTE_US });
    const file = join(cwd, 'input.ndjson');
    writeFileSync(file, lines.join('\n') + '\n');
    await ok(['produce', topic, '--file', file, '--raw'], cwd);
    const expected = windowResult(lines, 10 * MINUTE_US, 5 * MINUTE_US, 10 * MINUTE_US, 5, { keepLate: true }); // complete mode keeps late records in their windows
    const run = await ok(['stream', 'window', '--source', topic, '--size', '10m', '--slide', '5m', '--top', '5', '--until-end', '--format', 'json', '--trigger', '200ms'], cwd);
    const last = jsonLines(run.stdout).at(-1);
    expect(last.rows).toEqual(expected.rows);
    expect([last.late, last.malformed]).toEqual([expected.late, expected.malformed]);
  });

  it('stream totals killed with SIGKILL at random moments and restarted ends with exact totals in the sink (exactly-once)', async () => {
    const s = setup('eos');
    await s.malformed(6);
    const generating = generate(s.cwd, 3000, 400);
    let killed = 0;
    for (let i = 0; i < 4; i++) {
      const run = s.start();
      await sleep(s.r.int(2500, 7000));
      if (i === 1) await s.malformed(6);
      if (await kill(run)) killed++;
    }
    expect((await generating).code).toBe(0);
    expect(killed).toBeGreaterThanOrEqual(3);
    // the final run may own no partition at all: when the last killed instance had committed
    // everything before dying, the committed positions are already at the end offsets
    await ok([...s.totals, '--until-end'], s.cwd);
    const { expected, actual, dead, bad } = await s.check();
    expect(Object.keys(expected)).toHaveLength(27);
    expect(actual).toEqual(expected);
    expect(dead).toEqual(bad);

    // topics counts what a reader gets (each transaction's marker takes an offset too) and hides
    // the group's state changelog (--all shows it: test/kafka/broker-restart.test.ts)
    const listed = jsonLines((await ok(['topics', '--format', 'json'], s.cwd)).stdout).filter((t) => t.name.startsWith(s.topics.purchases) || t.name.startsWith('__'));
    expect(listed).toEqual([
      { name: s.topics.purchases, partitions: 3, records: (await values(s.topics.purchases, s.cwd)).length },
      { name: s.dlq, partitions: 1, records: bad.length },
      { name: s.sink, partitions: 1, records: (await values(s.sink, s.cwd)).length },
    ]);
  }, 400_000);

  it('two instances in one group share a 3-partition topic through rebalances and a kill, and converge on exact totals', async () => {
    const s = setup('pair');
    const generating = generate(s.cwd, 3000, 400);
    await sleep(1000);
    let a = s.start();
    const b = s.start();
    await sleep(s.r.int(3000, 5000));
    await s.malformed(6);
    await kill(a); // its partitions move to b, then come back when it restarts
    a = s.start();
    expect((await generating).code).toBe(0);
    // both keep following: wait until the sink holds the exact totals
    let last: Awaited<ReturnType<typeof s.check>> | undefined;
    for (const deadline = Date.now() + 240_000; Date.now() < deadline; await sleep(1000)) {
      last = await s.check();
      if (JSON.stringify(last.actual) === JSON.stringify(last.expected) && JSON.stringify(last.dead) === JSON.stringify(last.bad)) break;
    }
    expect(last!.actual).toEqual(last!.expected);
    expect(last!.dead).toEqual(last!.bad);
    for (const run of [a, b]) run.child.kill('SIGINT');
    const results = await Promise.all([a.done, b.done]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const owned = results.map((result) => jsonLines(result.stdout).flatMap((t) => t.partitions));
    expect(owned.every((ps) => ps.length > 0)).toBe(true); // each instance did own partitions
    expect((await s.check()).actual).toEqual(last!.expected); // a clean stop changes nothing
  }, 400_000);
});
