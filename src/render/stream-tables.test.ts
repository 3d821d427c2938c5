import { describe, expect, it } from 'vitest';
import type { WindowRow } from '../stream/window-store.js';
import type { WindowTrigger } from '../stream/windowed-sales.js';
import { totalsFrame, truncate, visibleWidth, windowFrame } from './stream-tables.js';

const MIN = 60_000_000;
const T0 = Date.UTC(2026, 0, 1, 8) * 1000;

function trigger(rows: number): WindowTrigger {
  const r: WindowRow[] = Array.from({ length: rows }, (_, i) => ({
    windowStart: T0 + Math.floor(i / 5) * 5 * MIN, windowEnd: T0 + Math.floor(i / 5) * 5 * MIN + 10 * MIN,
    productId: `SF0${i % 9}`, salesCents: 12_345_678 - i, drinks: 12_345, transactions: 9_999, rank: (i % 5) + 1,
  }));
  return { batch: 1234, rows: r, upserts: [], events: 12_345_678, late: 1_234, malformed: 56, watermark: T0 + 55 * MIN, openWindows: 3 };
}

const size = (width: number, height = 40) => ({ width, height, color: true });

describe('the live stream tables', () => {
  for (const width of [200, 120, 80, 60, 40, 20]) {
    it(`fit ${width} columns: no line is wider, and late/malformed counts stay in sight`, () => {
      const frame = windowFrame(trigger(12), 1500, size(width));
      for (const line of frame) expect(visibleWidth(line), line).toBeLessThanOrEqual(width);
      if (width >= 40) expect(frame.some((l) => l.startsWith('late 1,234 · malformed 56'))).toBe(true);
      const totals = totalsFrame({ batch: 1, rows: [{ productId: 'SF07', totals: { transactions: 99_999, quantities: 123_456, salesCents: 987_654_321, eventTime: T0 }, rank: 1 }], events: 5, malformed: 0, partitions: [0, 1, 2] }, size(width));
      for (const line of totals) expect(visibleWidth(line), line).toBeLessThanOrEqual(width);
    });
  }

  it('chooses fewer columns before cutting: at 80 and 40 columns every row keeps its window, product, sales and rank whole', () => {
    for (const [width, window] of [[80, /2026-01-01 \d\d:\d\d–\d\d:\d\d/], [40, /01-01 \d\d:\d\d–\d\d:\d\d/]] as const) {
      const frame = windowFrame(trigger(12), 0, size(width));
      expect(frame.join('\n')).not.toContain('…');
      const body = frame.filter((l) => l.includes('SF0'));
      expect(body).toHaveLength(12);
      for (const line of body) expect(line).toMatch(new RegExp(`${window.source}.* [1-5] .*SF0\\d .*123,456\\.\\d\\d|${window.source}.*SF0\\d .*123,456\\.\\d\\d.* [1-5] `));
    }
    // wide enough: Spark's own columns
    expect(windowFrame(trigger(12), 0, size(200)).join('\n')).toMatch(/window_start.*window_end.*transactions/);
  });

  it('shows as many rows as the height leaves room for, and says how many it left out', () => {
    const frame = windowFrame(trigger(60), 0, size(80, 24));
    expect(frame.length).toBeLessThanOrEqual(24);
    expect(frame.at(-1)).toMatch(/only showing top \d+ of 60 rows/);
  });

  it('cuts a line to the width with an ellipsis, colour codes taking no room', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('\x1b[36mab\x1b[39m', 2)).toBe('\x1b[36mab\x1b[39m');
    expect(visibleWidth('\x1b[36mabc\x1b[39m')).toBe(3);
  });
});
