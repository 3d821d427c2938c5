import { describe, expect, it } from 'vitest';
import type { Purchase } from '../model/purchase.js';
import { decodeTotals, encodeTotals, PartitionedTotals, restoreTotals, runningTotalMessage } from './totals.js';

const T0 = Date.UTC(2026, 0, 1, 8) * 1_000_000 / 1000;
const buy = (productId: string, totalCents: number, quantity = 1, eventTime = T0): Purchase =>
  ({ eventTime, transactionTime: '', transactionId: null, productId, priceCents: totalCents, quantity, totalCents });

describe('PartitionedTotals', () => {
  it('sums per product exactly, keeping the latest event time', () => {
    const t = new PartitionedTotals();
    t.own(0, 0, new Map(), false);
    t.add(0, 0, buy('A', 499, 1, T0 + 5));
    t.add(0, 1, buy('A', 1001, 2, T0 + 1));
    const plan = t.prepare(0, true)!;
    expect(plan.next).toBe(2);
    expect(plan.sink).toEqual([['A', { transactions: 2, quantities: 3, salesCents: 1500, eventTime: T0 + 5 }]]);
    expect(runningTotalMessage('A', plan.sink[0][1])).toEqual({ event_time: '2026-01-01 08:00:00.000005', product_id: 'A', transactions: 2, quantities: 3, sales: 15 });
    t.committed(plan);
    expect(t.prepare(0, true)).toBeUndefined();
  });

  it('tells the owned partitions, where each stands and whether all are read to given ends', () => {
    const t = new PartitionedTotals();
    t.own(2, 5, new Map(), true);
    t.own(0, 0, new Map(), false);
    expect([t.partitions, t.owns(1), t.next(2)]).toEqual([[0, 2], false, 5]);
    const ends = new Map([[0, 2], [2, 5]]);
    t.add(0, 0, buy('A', 100));
    expect(t.readTo(ends)).toBe(false);
    t.skip(0, 1);
    expect([t.next(0), t.readTo(ends)]).toEqual([2, true]);
    t.disown(2);
    expect([t.partitions, t.next(2), t.readTo(new Map([[0, 2], [2, 9]]))]).toEqual([[0], undefined, true]);
  });

  it('writes sink totals from this partition\'s new state and the others\' committed state only', () => {
    const t = new PartitionedTotals();
    t.own(0, 0, new Map(), false);
    t.own(1, 0, new Map(), false);
    t.committed(t.prepare(0, true)!);
    t.committed(t.prepare(1, true)!);
    t.add(0, 0, buy('A', 100));
    t.add(1, 0, buy('A', 10));
    const first = t.prepare(0, true)!;
    expect(first.sink).toEqual([['A', expect.objectContaining({ salesCents: 100 })]]); // p1's 10 is not committed yet
    t.committed(first);
    const second = t.prepare(1, true)!;
    expect(second.sink).toEqual([['A', expect.objectContaining({ salesCents: 110 })]]);
  });

  it('keeps changes made while a commit was in flight for the next one', () => {
    const t = new PartitionedTotals();
    t.own(0, 0, new Map(), true);
    t.add(0, 0, buy('A', 100));
    const plan = t.prepare(0, false)!;
    t.add(0, 1, buy('A', 100));
    t.committed(plan);
    expect(t.prepare(0, false)!.state).toEqual([['A', expect.objectContaining({ salesCents: 200 })]]);
  });

  it('marks a product for rewriting when another instance\'s partition changes it, and on taking a partition', () => {
    const t = new PartitionedTotals();
    t.own(0, 5, new Map([['A', { transactions: 1, quantities: 1, salesCents: 100, eventTime: T0 }]]), true);
    t.committed(t.prepare(0, true)!);
    expect(t.observe(1, 'A', { transactions: 1, quantities: 1, salesCents: 7, eventTime: T0 })).toBe(true);
    expect(t.observe(1, 'A', { transactions: 1, quantities: 1, salesCents: 7, eventTime: T0 })).toBe(false);
    const plan = t.prepare(0, true)!;
    expect(plan.state).toEqual([]);
    expect(plan.sink).toEqual([['A', expect.objectContaining({ salesCents: 107 })]]);
    expect(t.prepare(0, false)).toBeUndefined();
  });

  it('encodes state as exact integers and refuses what it did not write', () => {
    const v = { transactions: 3, quantities: 4, salesCents: 123456789, eventTime: T0 };
    expect(decodeTotals(encodeTotals('A', v))).toEqual(v);
    expect(decodeTotals('{"transactions":1.5}')).toBeUndefined();
    expect(decodeTotals('nope')).toBeUndefined();
  });

  it('never commits totals it could not load again, and a committed state that does not load is an error, not a reset', () => {
    const v = { transactions: 1, quantities: 1e20, salesCents: 599, eventTime: T0 };
    expect(() => encodeTotals('SF07', v)).toThrow(/running totals of "SF07" are beyond exact integers/);
    const good = encodeTotals('A', { ...v, quantities: 1 });
    expect(restoreTotals(new Map([['A', good]]), 'partition 0')).toEqual(new Map([['A', { ...v, quantities: 1 }]]));
    const unreadable = '{"transactions":1,"quantities":1e+20,"sales_cents":599,"event_time_us":1}';
    expect(() => restoreTotals(new Map([['A', good], ['SF07', unreadable]]), 'partition 0 of the checkpoint'))
      .toThrow(/committed totals of "SF07" in partition 0 of the checkpoint cannot be read .*refusing to start over from zero/);
  });
});
