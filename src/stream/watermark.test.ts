import { describe, expect, it } from 'vitest';
import { NO_WATERMARK, PartitionWatermarks, Watermark } from './watermark.js';

const MIN = 60_000_000;

describe('Watermark', () => {
  // event time →   08:20        08:25    08:12
  // watermark  →   08:10        08:15    08:15   (never goes back)
  it('is the largest event time seen less the delay, and never goes back', () => {
    const w = new Watermark(10 * MIN);
    expect(w.value).toBe(NO_WATERMARK);
    expect(w.advance(20 * MIN)).toBe(10 * MIN);
    expect(w.advance(25 * MIN)).toBe(15 * MIN);
    expect(w.advance(12 * MIN)).toBe(15 * MIN);
  });
});

describe('PartitionWatermarks', () => {
  // p0: ──08:30──────08:40──
  // p1: ──08:20─────────────  (then silent)
  // wm:   none → 08:10 (min of 08:20, 08:10) → … p1 idle → 08:30
  it('takes the minimum over partitions until one goes idle', () => {
    const w = new PartitionWatermarks(10 * MIN, 30_000);
    w.track(0, 0);
    w.track(1, 0);
    w.observe(0, 30 * MIN, 100);
    expect(w.current(100)).toBe(NO_WATERMARK); // p1 has said nothing yet
    w.observe(1, 20 * MIN, 200);
    expect(w.current(200)).toBe(10 * MIN);
    w.observe(0, 40 * MIN, 20_000);
    expect(w.current(20_000)).toBe(10 * MIN);
    expect(w.current(30_199)).toBe(10 * MIN);
    expect(w.current(30_200)).toBe(30 * MIN); // p1 idle for 30 s: p0 alone
  });

  it('lets a finished partition go, keeps the largest when all are left out, and never goes back', () => {
    const w = new PartitionWatermarks(0, 30_000);
    w.observe(0, 5 * MIN, 0);
    w.observe(1, 9 * MIN, 0);
    expect(w.current(0)).toBe(5 * MIN);
    w.finish(0);
    expect(w.current(0)).toBe(9 * MIN);
    w.observe(0, 6 * MIN, 1); // back with an old time: the watermark stays
    expect(w.current(1)).toBe(9 * MIN);
    w.finish(0);
    w.finish(1);
    expect(w.current(2)).toBe(9 * MIN);
  });
});
