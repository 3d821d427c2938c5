import { describe, expect, it } from 'vitest';
import { formatTimestamp } from '../model/timestamp.js';
import type { OutputMode, WindowRow } from './window-store.js';
import { WindowedSales } from './windowed-sales.js';
import { SlidingWindows } from './windows.js';

const MIN = 60_000_000;
const T0 = Date.UTC(2026, 0, 1, 8) * 1000;
const at = (minutes: number) => T0 + minutes * MIN;

function purchase(minutes: number, product: string, total: number, quantity = 1): string {
  return JSON.stringify({ transaction_time: formatTimestamp(at(minutes)), transaction_id: '1', product_id: product, price: total, quantity, is_member: false, member_discount: 0, add_supplements: false, supplement_price: 0, total_purchase: total });
}

function topology(mode: OutputMode, top = 10) {
  // 10-minute windows sliding every 5, watermark 10 minutes behind
  return new WindowedSales({ windows: SlidingWindows.of(10 * MIN, 5 * MIN), delay: 10 * MIN, idleTimeout: 30_000, top, mode });
}

const brief = (rows: WindowRow[]) => rows.map((r) => `${(r.windowStart - T0) / MIN}-${(r.windowEnd - T0) / MIN} ${r.productId} ${r.salesCents} #${r.rank}`);

describe('WindowedSales', () => {
  //  minute: 0    5    10   15   20   25   30
  //  A@1 ─┐                                      windows [-5,5) [0,10)
  //  B@12 ───────────┐                           wm → 2: windows ending ≤ 2 closed (none)
  //  A@4  ─┐  (out of order, within the delay)   joins [-5,5) [0,10)
  //  C@25 ──────────────────────────┐            wm → 15: [-5,5) [0,10) [5,15) closed
  //  A@9  ─┐  LATE: its windows [0,10) [5,15) end ≤ 15
  //  B@15 exactly on a boundary: [10,20) [15,25); both end > 15
  it('adds out-of-order records inside the delay, counts late ones (into complete mode\'s closed windows too), respects boundaries', () => {
    const t = topology('update');
    const lines = [purchase(1, 'A', 1), purchase(12, 'B', 2), purchase(4, 'A', 4), purchase(25, 'C', 8), purchase(9, 'A', 16), purchase(15, 'B', 32), '{"product_id":"A"}'];
    const outcomes = lines.map((line) => t.process(0, line, 0).kind);
    expect(outcomes).toEqual(['added', 'added', 'added', 'added', 'late', 'added', 'malformed']);
    const result = t.finish(0);
    expect(result).toMatchObject({ events: 7, late: 1, malformed: 1, watermark: at(15) });
    const complete = topology('complete');
    for (const line of lines) complete.process(0, line, 0);
    expect(brief(complete.finish(0).rows)).toEqual([
      '25-35 C 800 #1',
      '20-30 C 800 #1',
      '15-25 B 3200 #1',
      '10-20 B 3400 #1',
      // complete mode keeps every window: the late A@9 still counts in [0,10) and [5,15)
      '5-15 A 1600 #1',
      '5-15 B 200 #2',
      '0-10 A 2100 #1',
      '-5-5 A 500 #1',
    ]);
    expect(complete.finish(0)).toMatchObject({ events: 7, late: 1, malformed: 1 });
  });

  // the same input, the watermark moving only at triggers (Spark's micro-batches): A@9 comes in
  // the batch after C@25, and the trigger between them moved the watermark to 15
  it('with --watermark-advance trigger, judges records by the watermark of the last trigger', () => {
    const t = new WindowedSales({ windows: SlidingWindows.of(10 * MIN, 5 * MIN), delay: 10 * MIN, idleTimeout: 30_000, top: 10, mode: 'update', advance: 'trigger' });
    t.process(0, purchase(1, 'A', 1), 0);
    t.process(0, purchase(25, 'C', 8), 0);
    expect(t.process(0, purchase(4, 'A', 4), 0).kind).toBe('added'); // the watermark has not moved yet
    expect(t.trigger(1)!.watermark).toBe(at(15));
    expect(t.process(0, purchase(9, 'A', 16), 0)).toMatchObject({ kind: 'late', watermark: at(15), counted: false });
    expect(t.process(0, purchase(15, 'B', 32), 0).kind).toBe('added');
  });

  it('ranks by sales descending, then product_id ascending, and keeps the top N', () => {
    const t = topology('complete', 2);
    for (const [p, s] of [['B', 5], ['A', 5], ['C', 9], ['D', 1]] as const) t.process(0, purchase(1, p, s), 0);
    expect(brief(t.finish(0).rows).filter((r) => r.startsWith('0-10'))).toEqual(['0-10 C 900 #1', '0-10 A 500 #2']);
  });

  // update mode: each trigger shows the rows that changed since the previous one
  it('update mode emits only changed rows, and closed windows leave memory', () => {
    const t = topology('update');
    t.process(0, purchase(1, 'A', 1), 0);
    expect(brief(t.trigger(1)!.rows)).toEqual(['0-10 A 100 #1', '-5-5 A 100 #1']);
    expect(t.trigger(2)).toBeUndefined(); // nothing new
    t.process(0, purchase(7, 'B', 2), 3);
    expect(brief(t.trigger(4)!.rows)).toEqual(['5-15 B 200 #1', '0-10 B 200 #1', '0-10 A 100 #2']);
    t.process(0, purchase(40, 'C', 1), 5); // wm → 30: everything before closes
    const closing = t.trigger(6)!;
    expect(brief(closing.rows)).toEqual(['40-50 C 100 #1', '35-45 C 100 #1']);
    expect(closing.openWindows).toBe(2);
  });

  // append mode: a window appears once, when the watermark passes its end, with its final rows
  it('append mode emits each window once, when it closes, and the rest at the end of input', () => {
    const t = topology('append');
    t.process(0, purchase(1, 'A', 1), 0);
    t.process(0, purchase(3, 'A', 1), 0);
    expect(t.trigger(1)!.rows).toEqual([]);
    t.process(0, purchase(16, 'B', 1), 2); // wm → 6: [-5,5) closes
    expect(brief(t.trigger(3)!.rows)).toEqual(['-5-5 A 200 #1']);
    t.process(0, purchase(21, 'B', 1), 4); // wm → 11: [0,10) closes
    expect(brief(t.trigger(5)!.rows)).toEqual(['0-10 A 200 #1']);
    expect(brief(t.finish(6).rows)).toEqual(['20-30 B 100 #1', '15-25 B 200 #1', '10-20 B 100 #1']);
  });

  it('gives an upsert sink the changed rows, and rank null for a product that left the top N', () => {
    const t = topology('update', 1);
    t.process(0, purchase(1, 'A', 5), 0);
    t.trigger(1);
    t.process(0, purchase(2, 'B', 9), 2);
    const { upserts } = t.trigger(3)!;
    expect(upserts.map((r) => `${(r.windowStart - T0) / MIN} ${r.productId} #${r.rank}`)).toEqual(['0 B #1', '0 A #null', '-5 B #1', '-5 A #null']);
  });

  // two partitions: the slower one holds the watermark back
  //   p0: 08:30 ────── 08:50
  //   p1: 08:01
  //   a record at 08:02 on p1 is not late: the watermark is min(08:40, 07:51) = 07:51
  it('holds the watermark at the slowest partition', () => {
    const t = topology('complete');
    t.trackPartition(0, 0);
    t.trackPartition(1, 0);
    t.process(0, purchase(30, 'A', 1), 0);
    t.process(0, purchase(50, 'A', 1), 0);
    t.process(1, purchase(1, 'B', 1), 0);
    expect(t.process(1, purchase(2, 'B', 1), 0).kind).toBe('added');
    expect(t.trigger(1)!.watermark).toBe(at(-8));
  });
});
