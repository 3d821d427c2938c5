import { describe, expect, it } from 'vitest';
import { SlidingWindows } from './windows.js';

const MIN = 60_000_000; // µs
const T0 = Date.UTC(2026, 0, 1, 8) * 1000;

describe('SlidingWindows', () => {
  it('refuses a slide larger than the size, or one that does not divide it', () => {
    expect(() => SlidingWindows.of(10 * MIN, 15 * MIN)).toThrow(/slide is larger than the size/);
    expect(() => SlidingWindows.of(10 * MIN, 3 * MIN)).toThrow(/not a multiple/);
    expect(() => SlidingWindows.of(0, 0)).toThrow(/positive/);
    expect(SlidingWindows.problem(10 * MIN, 5 * MIN)).toBeUndefined();
  });

  //   08:00      08:05      08:10      08:15
  //     |----------|----------|----------|
  //     [  window 07:55–08:05 )
  //     [       window 08:00–08:10       )
  //                 [      window 08:05–08:15       )
  //            ^ 08:03 is in 07:55–08:05 and 08:00–08:10
  it('puts an event in size/slide epoch-aligned windows, earliest first', () => {
    const w = SlidingWindows.of(10 * MIN, 5 * MIN);
    expect(w.perEvent).toBe(2);
    expect(w.windowsFor(T0 + 3 * MIN)).toEqual([
      { start: T0 - 5 * MIN, end: T0 + 5 * MIN },
      { start: T0, end: T0 + 10 * MIN },
    ]);
  });

  //     [ 08:00 … 08:10 )
  //                     ^ 08:10 exactly: not in 08:00–08:10, first instant of 08:10–08:20
  it('is half-open: an event on a boundary starts a window and is not in the one ending there', () => {
    const w = SlidingWindows.of(10 * MIN, 5 * MIN);
    expect(w.windowsFor(T0 + 10 * MIN).map((x) => x.start)).toEqual([T0 + 5 * MIN, T0 + 10 * MIN]);
    expect(w.windowsFor(T0 + 10 * MIN - 1).map((x) => x.start)).toEqual([T0, T0 + 5 * MIN]);
  });

  it('is tumbling when the slide equals the size', () => {
    const w = SlidingWindows.tumbling(10 * MIN);
    expect(w.windowsFor(T0 + 9 * MIN)).toEqual([{ start: T0, end: T0 + 10 * MIN }]);
    expect(w.windowsFor(T0 + 10 * MIN)).toEqual([{ start: T0 + 10 * MIN, end: T0 + 20 * MIN }]);
  });

  it('aligns to the epoch, not to the first event, also before 1970', () => {
    const w = SlidingWindows.of(60 * MIN, 20 * MIN);
    expect(w.windowsFor(7 * MIN).map((x) => x.start)).toEqual([-40 * MIN, -20 * MIN, 0]);
    expect(w.windowsFor(-1).map((x) => x.end)).toEqual([0, 20 * MIN, 40 * MIN]);
  });
});
