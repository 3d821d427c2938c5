import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli, tempDir } from '../helpers/cli.js';
import { MINUTE_US, messyPurchases, windowResult } from './reference.js';

const START = Date.UTC(2026, 0, 1, 8) * 1000;

async function ok(args: string[], cwd: string) {
  const result = await runCli(args, { cwd });
  expect(result.code, `salesstream ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

/** A fresh embedded log holding `lines` (raw, so malformed ones stay malformed) in topic `t`. */
async function logWith(lines: string[]) {
  const cwd = tempDir();
  const file = join(cwd, 'input.ndjson');
  writeFileSync(file, lines.join('\n') + '\n');
  await ok(['produce', 't', '--file', file, '--raw'], cwd);
  return cwd;
}

const window = (extra: string[]) => ['stream', 'window', '--source', 't', '--until-end', '--format', 'json', '--trigger', '200ms', ...extra];

describe('salesstream stream window on the embedded log', () => {
  for (const [seed, size, slide, delay, top] of [[1, 10, 5, 10, 5], [2, 10, 10, 3, 3], [3, 15, 5, 0, 10], [4, 60, 20, 7, 2]]) {
    it(`ends with the DESIGN §4 result: seed ${seed}, ${size}m windows sliding ${slide}m, watermark ${delay}m, top ${top}`, async () => {
      const lines = messyPurchases(seed, 1500, { start: START, delay: delay * MINUTE_US, slide: slide * MINUTE_US });
      const expected = windowResult(lines, size * MINUTE_US, slide * MINUTE_US, delay * MINUTE_US, top, { keepLate: true });
      expect(expected.late).toBeGreaterThan(5);
      expect(expected.malformed).toBeGreaterThan(10);
      const cwd = await logWith(lines);
      const run = await ok(window(['--size', `${size}m`, '--slide', `${slide}m`, '--watermark', `${delay}m`, '--top', String(top)]), cwd);
      const last = jsonLines(run.stdout).at(-1);
      expect(last.rows).toEqual(expected.rows);
      expect({ late: last.late, malformed: last.malformed, events: last.events, watermark: last.watermark })
        .toEqual({ late: expected.late, malformed: expected.malformed, events: expected.events, watermark: expected.watermark });
      // each bad record is reported with topic, partition and offset
      expect(run.stderr).toMatch(/malformed record t\[0\]@\d+: /);
      expect(run.stderr).toMatch(/late record t\[0\]@\d+: event time .* is behind the watermark/);
    });
  }

  it('update mode emits only rows that changed, and replaying them gives the complete result', async () => {
    const lines = messyPurchases(5, 800, { start: START, delay: 10 * MINUTE_US, slide: 5 * MINUTE_US });
    const expected = windowResult(lines, 10 * MINUTE_US, 5 * MINUTE_US, 10 * MINUTE_US, 3);
    const cwd = await logWith(lines);
    const updates = jsonLines((await ok(window(['--size', '10m', '--slide', '5m', '--top', '3', '--output-mode', 'update']), cwd)).stdout);
    const table = new Map<string, unknown>();
    for (const { rows } of updates) {
      for (const row of rows) {
        const key = `${row.window_start}|${row.product_id}`;
        expect(table.get(key), `row emitted without a change: ${key}`).not.toEqual(row);
        table.set(key, row);
      }
    }
    for (const row of expected.rows) expect(table.get(`${row.window_start}|${row.product_id}`)).toEqual(row);
    expect(updates.at(-1)).toMatchObject({ late: expected.late, malformed: expected.malformed });
  });

  it('append mode emits every window exactly once, final, and together they are the complete result', async () => {
    const lines = messyPurchases(6, 800, { start: START, delay: 10 * MINUTE_US, slide: 5 * MINUTE_US });
    const expected = windowResult(lines, 10 * MINUTE_US, 5 * MINUTE_US, 10 * MINUTE_US, 3);
    const cwd = await logWith(lines);
    const batches = jsonLines((await ok(window(['--size', '10m', '--slide', '5m', '--top', '3', '--output-mode', 'append']), cwd)).stdout);
    const all = batches.flatMap((b) => b.rows);
    const windowsPerBatch = batches.map((b) => new Set(b.rows.map((r: any) => r.window_start)));
    const seen = new Set<string>();
    for (const ws of windowsPerBatch) for (const w of ws) {
      expect(seen.has(w as string), `window ${w} emitted twice`).toBe(false);
      seen.add(w as string);
    }
    const order = (rows: any[]) => [...rows].sort((a, b) => (a.window_start < b.window_start ? 1 : a.window_start > b.window_start ? -1 : a.rank - b.rank));
    expect(order(all)).toEqual(expected.rows);
  });

  it('copies late records to --late-topic, malformed ones to --dlq with where they came from, and upserts rows to --sink', async () => {
    const lines = messyPurchases(7, 600, { start: START, delay: 10 * MINUTE_US, slide: 5 * MINUTE_US });
    const expected = windowResult(lines, 10 * MINUTE_US, 5 * MINUTE_US, 10 * MINUTE_US, 3, { keepLate: true });
    const cwd = await logWith(lines);
    await ok(window(['--size', '10m', '--slide', '5m', '--top', '3', '--late-topic', 'late', '--dlq', 'dead', '--sink', 'rows']), cwd);
    const tail = async (topic: string) => jsonLines((await ok(['tail', topic, '--from', 'beginning', '--format', 'json'], cwd)).stdout);
    const late = await tail('late');
    expect(late).toHaveLength(expected.late);
    const dead = await tail('dead');
    expect(dead).toHaveLength(expected.malformed);
    for (const d of dead) {
      expect(d.value).toMatchObject({ topic: 't', partition: 0, reason: expect.any(String) });
      expect(lines[d.value.offset]).toBe(d.value.value);
    }
    const upserts = new Map<string, any>();
    for (const r of await tail('rows')) upserts.set(r.key, r.value);
    const current = [...upserts.values()].filter((r) => r.rank !== null);
    const order = (rows: any[]) => [...rows].sort((a, b) => (a.window_start < b.window_start ? 1 : a.window_start > b.window_start ? -1 : a.rank - b.rank));
    expect(order(current)).toEqual(expected.rows);
  });

  it('--watermark-advance trigger moves the watermark only between triggers: read in one batch, nothing is late', async () => {
    const lines = messyPurchases(9, 800, { start: START, delay: 10 * MINUTE_US, slide: 5 * MINUTE_US });
    const byRecord = windowResult(lines, 10 * MINUTE_US, 5 * MINUTE_US, 10 * MINUTE_US, 3);
    expect(byRecord.late).toBeGreaterThan(5);
    // one trigger, at the end: the watermark never moved while the records were read
    const expected = windowResult(lines, 10 * MINUTE_US, 5 * MINUTE_US, 10 * MINUTE_US, 3, { triggersAfter: [] });
    const cwd = await logWith(lines);
    const args = ['stream', 'window', '--source', 't', '--until-end', '--format', 'json', '--trigger', '1h', '--size', '10m', '--slide', '5m', '--top', '3'];
    const last = jsonLines((await ok([...args, '--watermark-advance', 'trigger', '--output-mode', 'complete'], cwd)).stdout).at(-1);
    expect({ rows: last.rows, late: last.late, watermark: last.watermark }).toEqual({ rows: expected.rows, late: 0, watermark: expected.watermark });
    const byDefault = jsonLines((await ok([...args, '--output-mode', 'update'], cwd)).stdout).at(-1);
    expect(byDefault.late).toBe(byRecord.late);
  });

  it('refuses bad flags with exit 2 and one clear line', async () => {
    const cwd = await logWith(messyPurchases(8, 10, { start: START, delay: MINUTE_US, slide: MINUTE_US }));
    for (const [args, message] of [
      [['--size', '10x'], /^salesstream: --size "10x" is not a duration: use a number with a unit, like 500ms, 30s, 10m or 1h\n$/],
      [['--size', '10m', '--slide', '15m'], /^salesstream: --slide 15m is larger than --size 10m/],
      [['--size', '10m', '--slide', '3m'], /^salesstream: --size 10m is not a multiple of --slide 3m/],
      [['--output-mode', 'sometimes'], /^salesstream: --output-mode "sometimes" is not accepted: use complete or update or append\n$/],
      [['--top', '0'], /^salesstream: --top "0" is not accepted/],
      [['--watermark-advance', 'batch'], /^salesstream: --watermark-advance "batch" is not accepted: use record or trigger\n$/],
    ] as const) {
      const result = await runCli(window([...args]), { cwd });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    const unknown = await runCli(['stream', 'window', '--source', 'nope', '--until-end'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown topic nope/);
  });
});
