// A window job's checkpoint as pure logic: the state changes a trigger hands out, kept as the
// last commit, restored into a fresh topology after a "crash" (the records after the commit are
// read again) give exactly what an uninterrupted run gives, in every output mode and both
// watermark rules.
import { describe, expect, it } from 'vitest';
import { isoFromMicros } from '../../src/model/timestamp.js';
import { windowRowJson, type OutputMode, type WindowRow } from '../../src/stream/window-store.js';
import { WindowedSales, type WatermarkAdvance } from '../../src/stream/windowed-sales.js';
import { SlidingWindows } from '../../src/stream/windows.js';
import { MINUTE_US, messyPurchases, rng } from './reference.js';

const START = Date.UTC(2026, 0, 1, 8) * 1000;

function run(lines: string[], mode: OutputMode, advance: WatermarkAdvance, triggers: Set<number>, crashes: Set<number>) {
  const topology = () => new WindowedSales({ windows: SlidingWindows.of(10 * MINUTE_US, 5 * MINUTE_US), delay: 10 * MINUTE_US, idleTimeout: 60_000, top: 3, mode, advance });
  const key = (r: WindowRow) => `${r.windowStart}|${r.productId}`;
  // what the sink and the console got, as committed
  let sink = new Map<string, unknown>();
  let appended: unknown[] = [];
  let committed = { state: new Map<string, string>(), next: 0, sink, appended };
  let t = topology();
  const pending = new Set(crashes);
  const emit = (rows: WindowRow[], upserts: WindowRow[]) => {
    for (const r of upserts) sink.set(key(r), windowRowJson(r, isoFromMicros));
    if (mode === 'append') appended.push(...rows.map((r) => windowRowJson(r, isoFromMicros)));
  };
  for (let i = 0; i < lines.length; i++) {
    t.process(0, lines[i], 0);
    if (triggers.has(i)) {
      const result = t.trigger(0);
      if (result) emit(result.rows, result.upserts);
      const state = new Map(committed.state);
      for (const [k, v] of t.changes()) {
        if (v === '') state.delete(k);
        else state.set(k, v);
      }
      committed = { state, next: i + 1, sink: new Map(sink), appended: [...appended] };
    }
    if (pending.delete(i)) {
      // killed: back to the last commit, reading on from there
      t = topology();
      t.trackPartition(0, 0);
      t.restore(committed.state, 0);
      sink = new Map(committed.sink);
      appended = [...committed.appended];
      i = committed.next - 1;
    }
  }
  const last = t.finish(0);
  emit(last.rows, last.upserts);
  return { rows: last.rows.map((r) => windowRowJson(r, isoFromMicros)), counters: [last.events, last.late, last.malformed, last.watermark], sink: Object.fromEntries([...sink].sort()), appended };
}

describe('the window checkpoint, restored after a crash', () => {
  for (const seed of [1, 2, 3]) {
    for (const mode of ['complete', 'update', 'append'] as const) {
      for (const advance of ['record', 'trigger'] as const) {
        it(`ends exactly as an uninterrupted run: seed ${seed}, ${mode} mode, watermark by ${advance}`, () => {
          const lines = messyPurchases(200 + seed, 1000, { start: START, delay: 10 * MINUTE_US, slide: 5 * MINUTE_US });
          const r = rng(seed);
          const triggers = new Set(lines.map((_, i) => i).filter(() => r.next() < 0.03));
          const crashes = new Set(lines.map((_, i) => i).filter(() => r.next() < 0.01));
          expect(crashes.size).toBeGreaterThan(3);
          expect(run(lines, mode, advance, triggers, crashes)).toEqual(run(lines, mode, advance, triggers, new Set()));
        });
      }
    }
  }
});
