import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { collect, jsonLines, killedAfter, runCli, startCli, tempDir } from '../helpers/cli.js';
import { latestByKey, MINUTE_US, messyPurchases, rng, totalsResult, windowResult } from './reference.js';

const START = Date.UTC(2026, 0, 1, 8) * 1000;

async function ok(args: string[], cwd: string) {
  const result = await runCli(args, { cwd });
  expect(result.code, `salesstream ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

const tail = async (topic: string, cwd: string) => jsonLines((await ok(['tail', topic, '--from', 'beginning', '--format', 'json'], cwd)).stdout);

/** The sink's current result: the latest upsert per window and product, those still ranked, in result order. */
async function sinkRows(topic: string, cwd: string) {
  const latest = new Map<string, any>();
  for (const e of await tail(topic, cwd)) latest.set(e.key, e.value);
  return [...latest.values()].filter((r) => r.rank !== null)
    .sort((a, b) => (a.window_start < b.window_start ? 1 : a.window_start > b.window_start ? -1 : a.rank - b.rank));
}

/** Appends `lines` to topic t in small batches, one `produce` after another, while the job runs. */
async function feed(lines: string[], cwd: string, batch: number) {
  for (let i = 0; i < lines.length; i += batch) {
    const file = join(cwd, `in-${i}.ndjson`);
    writeFileSync(file, lines.slice(i, i + batch).join('\n') + '\n');
    await ok(['produce', 't', '--file', file, '--raw'], cwd);
  }
}

/** Resolves at the child's first output line, or when it has ended. */
const shown = (child: ChildProcess) => new Promise((resolve) => {
  child.stdout!.once('data', resolve);
  child.once('close', resolve);
});

describe('salesstream stream window --group on the embedded log (exactly-once)', () => {
  it('killed with SIGKILL again and again while input arrives, ends with the uninterrupted run\'s result, sink, late records and dead letters', async () => {
    const cwd = tempDir();
    const size = 10 * MINUTE_US;
    const slide = 5 * MINUTE_US;
    const delay = 10 * MINUTE_US;
    const lines = messyPurchases(21, 2400, { start: START, delay, slide });
    const expected = windowResult(lines, size, slide, delay, 5, { keepLate: true });
    expect(expected.late).toBeGreaterThan(20);
    await feed(lines.slice(0, 600), cwd, 600);
    const feeding = feed(lines.slice(600), cwd, 200);

    const window = (group: string, sink: string) => ['stream', 'window', '--source', 't', '--group', group, '--size', '10m', '--slide', '5m', '--top', '5',
      '--sink', sink, '--late-topic', `${sink}.late`, '--dlq', `${sink}.dead`, '--trigger', '20ms', '--format', 'json'];
    const r = rng(21);
    let killed = 0;
    let feedingDone = false;
    void feeding.then(() => (feedingDone = true));
    while (!feedingDone || killed < 8) {
      // killed once it has committed a trigger (a result is shown after its commit), at a random moment
      const hit = await killedAfter(window('g', 'rows'), { cwd }, async (child) => {
        await shown(child);
        await sleep(r.int(0, 400));
      });
      if (hit) killed++;
    }
    await feeding;
    const final = jsonLines((await ok([...window('g', 'rows'), '--until-end'], cwd)).stdout).at(-1);
    // an uninterrupted run of another group over the same input
    const whole = jsonLines((await ok([...window('h', 'rows2'), '--until-end'], cwd)).stdout).at(-1);

    const counters = (t: any) => ({ events: t.events, late: t.late, malformed: t.malformed, watermark: t.watermark });
    expect(final.rows).toEqual(expected.rows);
    expect(counters(final)).toEqual(counters(expected));
    expect(whole.rows).toEqual(expected.rows);
    expect(counters(whole)).toEqual(counters(expected));
    expect(await sinkRows('rows', cwd)).toEqual(expected.rows);
    expect(await sinkRows('rows2', cwd)).toEqual(expected.rows);
    // every late record once, every malformed one once: nothing lost, nothing doubled
    const input = await tail('t', cwd);
    const late = (await tail('rows.late', cwd)).map((e) => (typeof e.value === 'string' ? e.value : JSON.stringify(e.value)));
    expect(late).toHaveLength(expected.late);
    expect(late).toEqual((await tail('rows2.late', cwd)).map((e) => (typeof e.value === 'string' ? e.value : JSON.stringify(e.value))));
    const dead = (await tail('rows.dead', cwd)).map((d) => d.value.offset);
    expect(dead).toEqual((await tail('rows2.dead', cwd)).map((d) => d.value.offset));
    expect(dead).toHaveLength(expected.malformed);
    expect(new Set(dead).size).toBe(dead.length);
    expect(input).toHaveLength(lines.length);
  }, 240_000);

  it('stops within the bound on SIGTERM and on Ctrl-C, committing what it read; a second instance of the group is refused', async () => {
    const cwd = tempDir();
    const lines = messyPurchases(22, 800, { start: START, delay: 10 * MINUTE_US, slide: 5 * MINUTE_US });
    await feed(lines, cwd, 800);
    const window = ['stream', 'window', '--source', 't', '--group', 'g', '--size', '10m', '--slide', '5m', '--top', '3', '--trigger', '200ms', '--format', 'json'];
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const child = startCli(window, { cwd });
      const done = collect(child, 30_000);
      // once it has shown a result it runs: a second instance of the group is refused
      await shown(child);
      const second = await runCli([...window, '--until-end'], { cwd });
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(/^salesstream: group g is already processing t in process \d+/);
      child.kill(signal);
      const result = await done;
      expect(result.code, result.stderr).toBe(0);
    }
    // what the stopped runs committed is the whole input: a bounded run reads nothing more
    const final = jsonLines((await ok([...window, '--until-end'], cwd)).stdout).at(-1);
    const expected = windowResult(lines, 10 * MINUTE_US, 5 * MINUTE_US, 10 * MINUTE_US, 3, { keepLate: true });
    expect(final.rows).toEqual(expected.rows);
    expect(final.events).toBe(lines.length);
  }, 120_000);
});

describe('a group whose sink topic was deleted goes on with another --sink (issue 14 item 13)', () => {
  const lines = messyPurchases(31, 900, { start: START, delay: 10 * MINUTE_US, slide: 5 * MINUTE_US });

  it('stream window: the new sink is filled from the checkpoint, and ends equal to the reference', async () => {
    const cwd = tempDir();
    await feed(lines.slice(0, 500), cwd, 500);
    const window = ['stream', 'window', '--source', 't', '--group', 'g', '--size', '10m', '--slide', '5m', '--top', '3', '--until-end', '--format', 'json', '--trigger', '100ms'];
    await ok([...window, '--sink', 'rows'], cwd);
    await ok(['topics', 'delete', 'rows'], cwd);
    await feed(lines.slice(500), cwd, 400);
    const final = jsonLines((await ok([...window, '--sink', 'rows2'], cwd)).stdout).at(-1);
    const expected = windowResult(lines, 10 * MINUTE_US, 5 * MINUTE_US, 10 * MINUTE_US, 3, { keepLate: true });
    expect(final.rows).toEqual(expected.rows);
    expect(await sinkRows('rows2', cwd)).toEqual(expected.rows);
    // update mode keeps no closed windows: it says what the new sink lacks and how to rebuild it
    await ok(['topics', 'delete', 'rows2'], cwd);
    const update = await ok([...window, '--sink', 'rows3', '--output-mode', 'update'], cwd);
    expect(update.stderr).toMatch(/salesstream: sink rows3 is new to group g: .*run a new --group from the beginning/);
  });

  it('stream totals: the new sink gets every total from the checkpoint', async () => {
    const cwd = tempDir();
    await feed(lines.slice(0, 500), cwd, 500);
    const totals = ['stream', 'totals', '--source', 't', '--group', 'g', '--until-end', '--format', 'json', '--trigger', '100ms'];
    await ok([...totals, '--sink', 'sums'], cwd);
    await ok(['topics', 'delete', 'sums'], cwd);
    await feed(lines.slice(500), cwd, 400);
    const run = await ok([...totals, '--sink', 'sums2'], cwd);
    // at most a line about output owed to the deleted topic, besides the malformed records
    for (const line of run.stderr.trim().split('\n')) expect(line).toMatch(/^salesstream: (malformed record t|group g's last commit owed \d+ records to topic sums, which has been deleted: they are dropped$)/);
    expect(latestByKey(await tail('sums2', cwd))).toEqual(totalsResult(lines));
  });
});
