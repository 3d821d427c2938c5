// Issue 14.1: the one-writer lock under races. Many writers started together, many times, with
// and without a lock file left by a killed writer or naming a live unrelated process: whoever
// wins writes alone (its records whole and contiguous), the others are refused with one line
// and exit 2, and no acknowledged record is lost, overwritten or torn.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, jsonLines, runCli, startCli, tempDir } from '../helpers/cli.js';
import { latestByKey, totalsResult } from '../stream/reference.js';

const WRITERS = 5;
const ROUNDS = 5;
const RECORDS = 4000;
const REFUSED = /^salesstream: topic race is being written by (process \d+|another process); the embedded log allows one writer per topic\n$/;

function segmentLines(topicDir: string): string[] {
  const dir = join(topicDir, '0');
  return readdirSync(dir).filter((n) => n.endsWith('.ndjson')).sort().flatMap((n) => readFileSync(join(dir, n), 'utf8').split('\n').filter(Boolean));
}

async function ok(args: string[], cwd: string) {
  const result = await runCli(args, { cwd });
  expect(result.code, `salesstream ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

describe('the one-writer lock', () => {
  it(`lets exactly one of ${WRITERS} racing produce runs write at a time, ${ROUNDS} times over, and loses no record`, async () => {
    const cwd = tempDir();
    await ok(['topics', 'create', 'race', '--partitions', '1'], cwd);
    const topicDir = join(cwd, '.salesstream', 'topics', 'race');
    const files = Array.from({ length: WRITERS * ROUNDS }, (_, i) => {
      const file = join(cwd, `w${i}.ndjson`);
      writeFileSync(file, Array.from({ length: RECORDS }, (_, n) => JSON.stringify({ w: i, n })).join('\n') + '\n');
      return file;
    });
    const acknowledged: number[] = [];
    let refusals = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // what a writer killed with kill -9 leaves, a half-written lock, a pid now used by an unrelated live process
      const planted = [`${2 ** 22 + round}\n`, '', `${process.pid}\n`][round % 3];
      writeFileSync(join(topicDir, 'writer.lock'), planted);
      const ids = Array.from({ length: WRITERS }, (_, k) => round * WRITERS + k);
      const results = await Promise.all(ids.map((i) => collect(startCli(['produce', 'race', '--file', files[i]], { cwd }), 120_000)));
      results.forEach((r, k) => {
        if (r.code === 0) acknowledged.push(ids[k]);
        else {
          expect(r.code, r.stderr).toBe(2);
          expect(r.stderr).toMatch(REFUSED);
          refusals++;
        }
      });
      expect(results.some((r) => r.code === 0)).toBe(true);
    }
    expect(refusals).toBeGreaterThan(0);

    // every line whole, offsets 0..n-1, and exactly the acknowledged runs' records, each run's contiguous
    const lines = segmentLines(topicDir).map((l) => JSON.parse(l));
    expect(lines.map((e) => e.offset)).toEqual(lines.map((_, i) => i));
    const runs: number[] = [];
    lines.forEach((e, i) => {
      if (i % RECORDS === 0) runs.push(e.value.w);
      expect(e.value).toEqual({ w: runs.at(-1), n: i % RECORDS });
    });
    expect(runs.sort((a, b) => a - b)).toEqual(acknowledged.sort((a, b) => a - b));
  }, 300_000);

  it('lets one of several racing stream totals instances of a group run, whatever lock file was left, and the totals stay exact', async () => {
    const cwd = tempDir();
    await ok(['generate', '--count', '600', '--seed', '3', '--fast', '--start-time', '2026-01-01T08:00:00Z'], cwd);
    const lock = join(cwd, '.salesstream', 'state', 'salesstream-totals', 'demo.purchases', 'owner.lock');
    for (const planted of ['', `${2 ** 22}\n`, `${process.pid}\n`]) {
      mkdirSync(dirname(lock), { recursive: true });
      writeFileSync(lock, planted);
      const results = await Promise.all(Array.from({ length: 4 }, () => collect(startCli(['stream', 'totals', '--until-end', '--trigger', '10ms'], { cwd }), 120_000)));
      for (const r of results) {
        if (r.code !== 0) {
          expect(r.code, r.stderr).toBe(2);
          expect(r.stderr).toMatch(/^salesstream: group salesstream-totals is already processing demo\.purchases in (process \d+|another process); on the embedded log one instance runs per group\n$/);
        }
      }
      expect(results.some((r) => r.code === 0)).toBe(true);
    }
    const tail = async (topic: string) => jsonLines((await ok(['tail', topic, '--from', 'beginning', '--format', 'json'], cwd)).stdout);
    const input = (await tail('demo.purchases')).map((e) => JSON.stringify(e.value));
    const sink = await tail('demo.running.totals');
    expect(latestByKey(sink)).toEqual(totalsResult(input));
  }, 300_000);
});
