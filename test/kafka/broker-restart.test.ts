import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { collect, jsonLines, runCli, startCli, tempDir, uniqueTopics, writeTestConfig, type CliResult } from '../helpers/cli.js';
import { latestByKey, totalsResult } from '../stream/reference.js';
import { ownBroker, type OwnBroker } from './own-broker.js';

// Kafka tests run only when the shared broker could start (java and the jars are there).
const shared = inject('kafkaBrokers');
/** The commands wait this long for a broker that is away: its restart may take that long on a busy machine. */
const env = { SALESSTREAM_BROKER_WAIT: '300' };

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(100);
  }
}

describe.skipIf(!shared)('a Kafka broker restarted under running commands', () => {
  let broker: OwnBroker;
  beforeAll(async () => {
    broker = await ownBroker();
    await broker.start();
  }, 300_000);
  afterAll(() => broker?.remove(), 120_000);

  // retried once, as a guard: the failures once seen here (kafkajs giving up on a group coordinator
  // still loading its log after the restart) are fixed in patches/kafkajs; a second failure fails the run
  it('generate, stream totals and drain ride it out, and end exactly as without the restart', { retry: 1, timeout: 900_000 }, async () => {
    const cwd = tempDir();
    const topics = uniqueTopics('restart');
    writeTestConfig(cwd, topics);
    const kafka = (args: string[]) => ['--brokers', broker.brokers, ...args];
    const ok = async (args: string[]) => {
      const result = await runCli(args, { cwd, env, timeoutMs: 120_000 });
      expect(result.code, `salesstream ${args.join(' ')}\n${result.stderr}`).toBe(0);
      return result;
    };
    const records = async (topic: string) => jsonLines((await ok(kafka(['tail', topic, '--from', 'beginning', '--format', 'json']))).stdout);
    /** Records in a topic, 0 while it does not exist yet. */
    const count = async (topic: string) => jsonLines((await ok(kafka(['topics', '--format', 'json']))).stdout).find((t) => t.name === topic)?.records ?? 0;
    const generateArgs = ['generate', '--count', '2000', '--seed', '7', '--rate', '100', '--partitions', '3', '--start-time', '2026-01-01T08:00:00Z'];
    const sink = `${topics.purchases}.totals`;

    const generating = collect(startCli(kafka(generateArgs), { cwd, env }), 400_000);
    let exited: CliResult | undefined;
    void generating.then((r) => (exited = r));
    await until('the first purchases', async () => {
      if (exited) throw new Error(`generate ended early (exit ${exited.code}): ${exited.stderr}`);
      return (await count(topics.purchases)) > 100 ? true : undefined;
    });
    const totals = startCli(kafka(['stream', 'totals', '--group', `${topics.purchases}.g`, '--sink', sink, '--trigger', '100ms', '--format', 'json']), { cwd, env });
    const totalled = collect(totals, 600_000);
    let totalsEnded: CliResult | undefined;
    void totalled.then((r) => (totalsEnded = r));
    await until('the first running totals', async () => ((await count(sink)) > 0 ? true : undefined));
    // frozen mid-drain (its first topic begun, two to go) while the broker goes away
    const draining = startCli(kafka(['drain', topics.purchases, topics.inventories, topics.products, '--out', 'd']), { cwd, env });
    const drained = collect(draining, 400_000);
    await until('the drain to begin', async () => (existsSync(join(cwd, 'd', topics.purchases)) ? true : undefined), 120_000);
    draining.kill('SIGSTOP');

    await broker.stop();
    draining.kill('SIGCONT');
    await broker.start();

    const generated = await generating;
    expect(generated.code, generated.stderr).toBe(0);
    const drain = await drained;
    expect(drain.code, drain.stderr).toBe(0);

    // every record exactly once: the same content as the embedded log gets from the same seed
    await ok(generateArgs);
    const content = (envelopes: any[]) => envelopes.map((e) => JSON.stringify([e.partition, e.offset, e.key, e.value])).sort();
    const embedded = jsonLines((await ok(['tail', topics.purchases, '--from', 'beginning', '--format', 'json'])).stdout);
    const input = await records(topics.purchases);
    expect(input.length).toBe(embedded.length);
    expect(content(input)).toEqual(content(embedded));

    // the drain resumed where it was: topped up now, its folder answers as the embedded log does
    await ok(kafka(['drain', topics.purchases, topics.inventories, topics.products, '--out', 'd']));
    const kpis = async (args: string[]) => jsonLines((await ok(['batch', 'kpis', '--format', 'json', ...args])).stdout);
    expect(await kpis(['--source', 'd'])).toEqual(await kpis([]));

    // the running totals converge on the totals of the input, then stop cleanly
    const expected = totalsResult(input.map((e) => (typeof e.value === 'string' ? e.value : JSON.stringify(e.value))));
    await until('exact running totals', async () => {
      if (totalsEnded) throw new Error(`stream totals ended (exit ${totalsEnded.code}): ${totalsEnded.stderr}`);
      const actual = latestByKey(await records(sink));
      return JSON.stringify(actual) === JSON.stringify(expected) ? true : undefined;
    });
    totals.kill('SIGINT');
    const stopped = await totalled;
    expect(stopped.code, stopped.stderr).toBe(0);

    // topics shows internal topics (Kafka's, the group's state changelog) only with --all
    // this try's topics only: a retried try shares the broker with the topics of the failed one
    const id = topics.purchases.slice(0, -'purchases'.length);
    const ours = (name: string) => name.startsWith(id) || name.startsWith('__');
    const names = async (...flags: string[]) => jsonLines((await ok(kafka(['topics', '--format', 'json', ...flags]))).stdout).map((t) => t.name).filter(ours);
    const changelog = `${topics.purchases}.g.${topics.purchases}.totals-changelog`;
    expect(await names()).toEqual([topics.inventories, topics.products, topics.purchases, sink].sort());
    expect(await names('--all')).toEqual(expect.arrayContaining([changelog, '__consumer_offsets', '__transaction_state']));
  });

  it('a broker that dies under generate, stream totals or drain and stays away ends each with one line and exit 3', async () => {
    const cwd = tempDir();
    const topics = uniqueTopics('dead');
    writeTestConfig(cwd, topics);
    const kafka = (args: string[]) => ['--brokers', broker.brokers, ...args];
    const wait = { SALESSTREAM_BROKER_WAIT: '5' };
    const start = (args: string[]) => {
      const child = startCli(kafka(args), { cwd, env: wait });
      return { child, done: collect(child, 300_000) };
    };
    const count = async (topic: string) => {
      const r = await runCli(kafka(['topics', '--format', 'json']), { cwd, timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(0);
      return jsonLines(r.stdout).find((t) => t.name === topic)?.records ?? 0;
    };
    const generate = start(['generate', '--count', '0', '--rate', '100', '--partitions', '2', '--seed', '3']);
    await until('the first purchases', async () => ((await count(topics.purchases)) > 200 ? true : undefined));
    const totals = start(['stream', 'totals', '--group', `${topics.purchases}.g`, '--sink', `${topics.purchases}.totals`, '--trigger', '100ms', '--format', 'json']);
    await until('the first running totals', async () => ((await count(`${topics.purchases}.totals`)) > 0 ? true : undefined));
    const drain = start(['drain', topics.purchases, topics.inventories, topics.products, '--out', 'd']);
    await until('the drain to begin', async () => (existsSync(join(cwd, 'd', topics.purchases)) ? true : undefined), 120_000);
    drain.child.kill('SIGSTOP');
    await broker.stop();
    drain.child.kill('SIGCONT');

    const gone = /^salesstream: Kafka at 127\.0\.0\.1:\d+ is unavailable \(gave up after 5 s\): /;
    for (const run of [generate, totals]) {
      const r = await run.done;
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(gone);
      expect(r.stderr).not.toMatch(/This is a bug/);
    }
    expect((await generate.done).stderr.trim().split('\n')).toHaveLength(1);
    // the drain was frozen mid-way (most likely before its last topic): whatever it had left, it
    // ends with one line, never a bug report
    const drained = await drain.done;
    expect(drained.stderr).not.toMatch(/This is a bug/);
    if (drained.code !== 0) {
      expect(drained.code, drained.stderr).toBe(3);
      expect(drained.stderr.trim().split('\n')).toHaveLength(1);
    }
    await broker.start();
  }, 900_000);
});
