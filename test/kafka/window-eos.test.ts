import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { collect, jsonLines, runCli, startCli, tempDir, uniqueTopics, writeTestConfig } from '../helpers/cli.js';
import { MINUTE_US, rng, sale, windowResult } from '../stream/reference.js';
import { onBroker } from './on-broker.js';

const brokers = inject('kafkaBrokers');

/** Resolves at the child's next output, or when it has ended. */
const shown = (child: ChildProcess) => new Promise((resolve) => {
  child.stdout!.once('data', resolve);
  child.once('close', resolve);
});

describe.skipIf(!brokers)('salesstream stream window --group on a real Kafka broker (exactly-once)', () => {
  const { kafka, ok, values } = onBroker(brokers, 90_000);
  // every topic a test makes goes when the file is done
  const created: string[] = [];
  afterAll(async () => {
    for (const topic of created) await runCli(kafka(['topics', 'delete', topic]), { cwd: tempDir() });
  }, 120_000);

  it('killed with SIGKILL and restarted on 3 partitions, with a waiting instance taking over, ends with the exact result, sink and dead letters', async () => {
    const cwd = tempDir();
    const topics = uniqueTopics('weos');
    writeTestConfig(cwd, topics);
    const sink = `${topics.purchases}.rows`;
    const dlq = `${topics.purchases}.dead`;
    const group = `${topics.purchases}.g`;
    created.push(...Object.values(topics), sink, dlq, `${group}.${topics.purchases}.window-changelog`);
    const r = rng(Number.parseInt(topics.purchases.split('.')[1].slice(-6), 36));
    const malformed = (n: number) => {
      const file = join(cwd, `bad-${r.int(0, 1e9)}.ndjson`);
      writeFileSync(file, Array.from({ length: n }, (_, i) => (i % 2 ? 'not json' : '{"transaction_time":"2026-01-01 08:00:00","product_id":"SC01"}')).join('\n') + '\n');
      return ok(['produce', topics.purchases, '--file', file, '--raw', '--partitions', '3'], cwd);
    };
    // generated input is in event-time order on each partition, so nothing is late: the result
    // does not depend on how the partitions' records interleave
    const window = ['stream', 'window', '--group', group, '--size', '10m', '--slide', '5m', '--top', '5', '--idle-timeout', '10m',
      '--sink', sink, '--dlq', dlq, '--trigger', '100ms', '--session-timeout', '6s', '--format', 'json'];
    const start = () => {
      const child = startCli(kafka(window), { cwd });
      return { child, done: collect(child, 120_000) };
    };
    await malformed(6);
    const generating = collect(startCli(kafka(['generate', '--count', '2500', '--seed', '7', '--rate', '300', '--partitions', '3', '--start-time', '2026-01-01T08:00:00Z']), { cwd }), 90_000);

    let killed = 0;
    for (let i = 0; i < 3; i++) {
      const run = start();
      await shown(run.child);
      await sleep(r.int(0, 1500));
      if (i === 1) await malformed(6);
      run.child.kill('SIGKILL');
      if ((await run.done).signal === 'SIGKILL') killed++;
    }
    // a second instance of the group waits while the first runs, and takes over when it dies
    const a = start();
    await shown(a.child);
    const b = start();
    await sleep(2000);
    a.child.kill('SIGKILL');
    await a.done;
    await shown(b.child);
    expect((await generating).code).toBe(0);
    // SIGTERM stops it cleanly (within the test's bound), after committing what it read
    b.child.kill('SIGTERM');
    const stopped = await b.done;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(killed).toBeGreaterThanOrEqual(2);

    const final = jsonLines((await ok([...window, '--until-end'], cwd)).stdout).at(-1);
    const input = await values(topics.purchases, cwd);
    const lines = input.map((e) => e.text);
    const expected = windowResult(lines, 10 * MINUTE_US, 5 * MINUTE_US, Infinity, 5);
    expect(final.rows).toEqual(expected.rows);
    expect({ events: final.events, late: final.late, malformed: final.malformed }).toEqual({ events: lines.length, late: 0, malformed: expected.malformed });
    const latest = new Map<string, any>();
    for (const e of await values(sink, cwd)) latest.set(e.key, e.value);
    const rows = [...latest.values()].filter((row) => row.rank !== null)
      .sort((x, y) => (x.window_start < y.window_start ? 1 : x.window_start > y.window_start ? -1 : x.rank - y.rank));
    expect(rows).toEqual(expected.rows);
    const dead = (await values(dlq, cwd)).map((d) => `${d.value.partition}@${d.value.offset}`).sort();
    expect(dead).toEqual(input.filter((e) => !sale(e.text)).map((e) => `${e.partition}@${e.offset}`).sort());
  }, 240_000);
});
