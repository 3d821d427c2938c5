import { describe, expect, it } from 'vitest';
import { progressLine } from './progress.js';

describe('progressLine', () => {
  it('shows the bar, the share done, the counts and the rate', () => {
    expect(progressLine({ topic: 'demo.purchases', done: 250_000, total: 1_000_000, seconds: 2 }, 8))
      .toBe('demo.purchases [██░░░░░░] 25% 250,000/1,000,000 · 125,000 records/s');
  });

  it('is full for an empty topic and never divides by zero', () => {
    expect(progressLine({ topic: 't', done: 0, total: 0, seconds: 0 }, 4)).toBe('t [████] 100% 0/0 · 0 records/s');
  });
});
