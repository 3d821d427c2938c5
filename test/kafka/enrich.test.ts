import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { collect, jsonLines, runCli, startCli, tempDir, uniqueTopics, writeTestConfig, type CliResult } from '../helpers/cli.js';
import { rng } from '../stream/reference.js';
import { canonical, enrichInput, enrichResult, joinable } from '../stream/enrich-reference.js';
import { onBroker } from './on-broker.js';

const brokers = inject('kafkaBrokers');
const START = Date.UTC(2026, 0, 1, 8) * 1000;

describe.skipIf(!brokers)('salesstream stream enrich on a real Kafka broker', () => {
  const { kafka, ok, values: records } = onBroker(brokers, 120_000);
  const created: string[] = [];
  const cleanup = tempDir();

  /** The text of every record of a topic. */
  const values = async (topic: string, cwd: string) => (await records(topic, cwd)).map((e) => e.text);

  afterAll(async () => {
    for (const topic of created) await runCli(kafka(['topics', 'delete', topic]), { cwd: cleanup });
  }, 120_000);

  function setup(name: string) {
    const cwd = tempDir();
    const topics = uniqueTopics(name);
    writeTestConfig(cwd, topics);
    const r = rng(Number.parseInt(topics.purchases.split('.')[1].slice(-6), 36));
    const names = (run: string) => {
      const group = `${topics.purchases}.${run}`;
      const t = { group, sink: `${group}.enriched`, unmatched: `${group}.unmatched`, dlq: `${group}.dead` };
      created.push(t.sink, t.unmatched, t.dlq, `${group}.${topics.purchases}.enrich-changelog`);
      return t;
    };
    created.push(topics.products, topics.purchases, topics.inventories);
    const produce = (topic: string, lines: string[]) => {
      const file = join(cwd, `in-${r.int(0, 1e9)}.ndjson`);
      writeFileSync(file, lines.join('\n') + '\n');
      return ok(['produce', topic, '--file', file, '--raw', '--partitions', '3'], cwd);
    };
    const args = (n: ReturnType<typeof names>) => ['stream', 'enrich', '--group', n.group, '--sink', n.sink, '--unmatched', n.unmatched, '--dlq', n.dlq,
      '--trigger', '100ms', '--session-timeout', '6s', '--max-wait', '500ms', '--format', 'json'];
    const start = (n: ReturnType<typeof names>) => {
      const child = startCli(kafka(args(n)), { cwd });
      return { child, done: collect(child, 150_000) };
    };
    /** Every output of a run, read committed, as sorted texts. */
    const outputs = async (n: ReturnType<typeof names>) => ({
      enriched: canonical((await values(n.sink, cwd)).map((v) => JSON.parse(v))),
      unmatched: (await values(n.unmatched, cwd)).sort(),
      dead: (await values(n.dlq, cwd)).map((v) => JSON.parse(v).value).sort(),
    });
    return { cwd, topics, r, names, produce, args, start, outputs };
  }

  async function kill(run: { child: ChildProcess; done: Promise<CliResult> }) {
    run.child.kill('SIGKILL');
    const result = await run.done;
    if (result.signal !== 'SIGKILL') expect(result.code, result.stderr).toBe(0);
    return result.signal === 'SIGKILL';
  }

  const expectedOf = (catalog: string[], purchases: string[]) => {
    const e = enrichResult(catalog, purchases);
    return { enriched: canonical(e.enriched), unmatched: e.unmatched.slice().sort(), dead: purchases.filter((l) => !joinable(l)).sort() };
  };

  it('generate --price-changes then enrich --until-end: one record per purchase, each with the price valid at its time', async () => {
    const s = setup('enrgen');
    const n = s.names('g');
    await ok(['generate', '--count', '5000', '--seed', '3', '--fast', '--price-changes', '20', '--partitions', '3', '--start-time', '2026-01-01T08:00:00Z'], s.cwd);
    await ok([...s.args(n), '--until-end'], s.cwd);
    const purchases = await values(s.topics.purchases, s.cwd);
    const catalog = await values(s.topics.products, s.cwd);
    const enriched = (await values(n.sink, s.cwd)).map((v) => JSON.parse(v));
    expect(enriched).toHaveLength(purchases.length);
    expect(enriched.filter((e) => e.product_price !== e.purchase_price)).toEqual([]);
    const expected = canonical(enrichResult(catalog, purchases).enriched);
    const actual = canonical(enriched);
    // the differences themselves, when there are any, rather than two lists of thousands
    expect(actual.filter((e) => !expected.includes(e)).slice(0, 3)).toEqual([]);
    expect(actual).toEqual(expected);
  }, 180_000);

  it('killed with SIGKILL at random moments and restarted, the sink read committed equals a clean run exactly', async () => {
    const s = setup('enreos');
    const input = enrichInput(s.r.int(1, 1e6), 4000, START);
    await s.produce(s.topics.products, input.catalog);
    const chunks = 4;
    const size = Math.ceil(input.purchases.length / chunks);
    await s.produce(s.topics.purchases, input.purchases.slice(0, size));
    const killedRun = s.names('k');
    let killed = 0;
    for (let i = 1; i <= chunks; i++) {
      const run = s.start(killedRun);
      await sleep(s.r.int(2500, 6000));
      // more input keeps arriving while the job is killed and restarted
      if (i < chunks) await s.produce(s.topics.purchases, input.purchases.slice(i * size, (i + 1) * size));
      if (await kill(run)) killed++;
    }
    expect(killed).toBeGreaterThanOrEqual(3);
    await ok([...s.args(killedRun), '--until-end'], s.cwd);
    const clean = s.names('c');
    await ok([...s.args(clean), '--until-end'], s.cwd);

    const expected = expectedOf(input.catalog, input.purchases);
    const cleanOut = await s.outputs(clean);
    expect(cleanOut).toEqual(expected);
    expect(await s.outputs(killedRun)).toEqual(cleanOut);
    expect(expected.unmatched.length).toBeGreaterThan(10);
    expect(expected.dead.length).toBeGreaterThan(10);
  }, 240_000);

  it('two instances in one group share a 3-partition topic through a kill and converge on the exact result', async () => {
    const s = setup('enrpair');
    const input = enrichInput(s.r.int(1, 1e6), 3000, START);
    await s.produce(s.topics.products, input.catalog);
    await s.produce(s.topics.purchases, input.purchases.slice(0, 1000));
    const n = s.names('p');
    let a = s.start(n);
    const b = s.start(n);
    await sleep(s.r.int(3000, 5000));
    await s.produce(s.topics.purchases, input.purchases.slice(1000, 2000));
    await kill(a); // its partitions move to b, then come back when it restarts
    a = s.start(n);
    await s.produce(s.topics.purchases, input.purchases.slice(2000));
    const expected = expectedOf(input.catalog, input.purchases);
    let last: Awaited<ReturnType<typeof s.outputs>> | undefined;
    for (let i = 0; i < 90; i++) {
      last = await s.outputs(n);
      if (JSON.stringify(last) === JSON.stringify(expected)) break;
      await sleep(1000);
    }
    expect(last).toEqual(expected);
    for (const run of [a, b]) run.child.kill('SIGINT');
    const results = await Promise.all([a.done, b.done]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const owned = results.map((result) => jsonLines(result.stdout).flatMap((t) => t.partitions));
    expect(owned.every((ps) => ps.length > 0)).toBe(true); // each instance did own partitions
    expect(await s.outputs(n)).toEqual(expected); // a clean stop changes nothing
  }, 240_000);
});
