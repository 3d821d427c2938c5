// Issue 14 item 10: --max-future. One purchase dated 2099 moved the watermark so far that the
// records after it were dropped as late; with the guard, an event time further ahead of processing
// time than the bound is malformed by policy: counted, reported, sent to the DLQ.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ok } from '../batch/cli.js';
import { jsonLines, runCli, tempDir } from '../helpers/cli.js';
import { MINUTE_US, messyPurchases, totalsResult, wireTime, windowResult } from '../stream/reference.js';


describe('--max-future', () => {
  it('makes a purchase far ahead of processing time malformed, so it cannot push the watermark past the rest', async () => {
    // a stream of the last few hours, with one purchase from 2099 in its middle
    const start = Date.now() * 1000 - 5 * 60 * MINUTE_US;
    const lines = messyPurchases(11, 600, { start, delay: 10 * MINUTE_US, slide: 5 * MINUTE_US });
    const future = JSON.stringify({ transaction_time: wireTime(Date.UTC(2099, 0, 1) * 1000), product_id: 'SF07', price: 5.99, quantity: 1, total_purchase: 5.99 });
    const input = [...lines.slice(0, 300), future, ...lines.slice(300)];
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), input.join('\n') + '\n');
    await ok(['produce', 't', '--file', 'in.ndjson', '--raw'], cwd);
    const window = ['stream', 'window', '--source', 't', '--until-end', '--format', 'json', '--trigger', '200ms', '--size', '10m', '--slide', '5m', '--top', '3'];

    // the default (none): the 2099 record is a valid purchase, and the rest after it come late
    const unguarded = jsonLines((await ok(window, cwd)).stdout).at(-1);
    expect(unguarded.late).toBeGreaterThan(200);

    const run = await ok([...window, '--max-future', '1h', '--dlq', 'dead'], cwd);
    const guarded = jsonLines(run.stdout).at(-1);
    const expected = windowResult(lines, 10 * MINUTE_US, 5 * MINUTE_US, 10 * MINUTE_US, 3, { keepLate: true }); // complete mode keeps late records in their windows
    expect(guarded.rows).toEqual(expected.rows);
    expect({ late: guarded.late, malformed: guarded.malformed, events: guarded.events })
      .toEqual({ late: expected.late, malformed: expected.malformed + 1, events: input.length });
    expect(run.stderr).toMatch(/malformed record t\[0\]@300: transaction_time 2099-01-01 00:00:00\.000000 is after \S+: too far ahead of processing time \(--max-future\)/);
    const dead = jsonLines((await ok(['tail', 'dead', '--from', 'beginning', '--format', 'json'], cwd)).stdout);
    expect(dead.filter((d) => d.value.offset === 300).map((d) => d.value.reason)).toEqual([expect.stringContaining('--max-future')]);

    // stream totals takes the same guard
    const totals = jsonLines((await ok(['stream', 'totals', '--source', 't', '--until-end', '--format', 'json', '--max-future', '1h', '--top', '100'], cwd)).stdout).at(-1);
    expect(totals.malformed).toBe(expected.malformed + 1);
    const byProduct = Object.fromEntries(totals.rows.map((r: { product_id: string; sales: number }) => [r.product_id, r.sales]));
    expect(byProduct).toEqual(Object.fromEntries(Object.entries(totalsResult(lines)).map(([k, v]) => [k, (v as { sales: number }).sales])));
  });

  it('refuses a value that is not a duration with one line', async () => {
    const result = await runCli(['stream', 'totals', '--max-future', 'soon'], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('salesstream: --max-future "soon" is not a duration: use a number with a unit, like 500ms, 30s, 10m or 1h');
  });
});
