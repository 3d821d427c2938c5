// The window topology against the independent reference, rule by rule (DESIGN §4): complete
// mode keeps late records in their windows; --watermark-advance trigger moves the watermark only
// at triggers. Pure: no process, triggers at chosen records.
import { describe, expect, it } from 'vitest';
import { isoFromMicros } from '../../src/model/timestamp.js';
import { windowRowJson, type OutputMode } from '../../src/stream/window-store.js';
import { WindowedSales, type WatermarkAdvance } from '../../src/stream/windowed-sales.js';
import { SlidingWindows } from '../../src/stream/windows.js';
import { MINUTE_US, messyPurchases, rng, windowResult } from './reference.js';

const START = Date.UTC(2026, 0, 1, 8) * 1000;

function run(lines: string[], mode: OutputMode, advance: WatermarkAdvance, triggersAfter: number[]) {
  const t = new WindowedSales({ windows: SlidingWindows.of(10 * MINUTE_US, 5 * MINUTE_US), delay: 10 * MINUTE_US, idleTimeout: 60_000, top: 3, mode, advance });
  const triggers = new Set(triggersAfter);
  lines.forEach((line, i) => {
    t.process(0, line, 0);
    if (triggers.has(i)) t.trigger(0);
  });
  const last = t.finish(0);
  return { rows: last.rows.map((r) => windowRowJson(r, isoFromMicros)), late: last.late, malformed: last.malformed };
}

describe('stream window rules against the reference', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const lines = messyPurchases(100 + seed, 1200, { start: START, delay: 10 * MINUTE_US, slide: 5 * MINUTE_US });
    const r = rng(seed);
    const triggersAfter = lines.map((_, i) => i).filter(() => r.next() < 0.02);
    const reference = (keepLate: boolean, triggers?: number[]) => windowResult(lines, 10 * MINUTE_US, 5 * MINUTE_US, 10 * MINUTE_US, 3, { keepLate, triggersAfter: triggers });

    it(`complete mode counts late records into their windows, and reports them late (seed ${seed})`, () => {
      const expected = reference(true);
      expect(expected.late).toBeGreaterThan(5);
      const dropped = reference(false);
      expect(expected.rows).not.toEqual(dropped.rows);
      expect(run(lines, 'complete', 'record', triggersAfter)).toEqual({ rows: expected.rows, late: expected.late, malformed: expected.malformed });
    });

    it(`--watermark-advance trigger judges each record by the watermark of the last trigger (seed ${seed})`, () => {
      const expected = reference(true, triggersAfter);
      expect(expected.late).not.toBe(reference(true).late);
      expect(run(lines, 'complete', 'trigger', triggersAfter)).toEqual({ rows: expected.rows, late: expected.late, malformed: expected.malformed });
      // update mode drops what complete mode keeps, with the same late count
      expect(run(lines, 'update', 'trigger', triggersAfter).late).toBe(expected.late);
    });
  }
});
