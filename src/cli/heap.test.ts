import { describe, expect, it } from 'vitest';
import { userSetHeapGrowth } from './heap.js';

describe('userSetHeapGrowth', () => {
  it('is false when neither node nor NODE_OPTIONS was given the flag', () => {
    expect(userSetHeapGrowth([], undefined)).toBe(false);
    expect(userSetHeapGrowth(['--max-old-space-size=512'], '--enable-source-maps')).toBe(false);
    expect(userSetHeapGrowth(['--heap-growing'], '--heap-growing-percentage=3')).toBe(false);
  });

  it('sees the flag in node\'s arguments or NODE_OPTIONS, spelt with dashes or underscores', () => {
    expect(userSetHeapGrowth(['--heap-growing-percent=50'], undefined)).toBe(true);
    expect(userSetHeapGrowth(['--heap_growing_percent=50'], '')).toBe(true);
    expect(userSetHeapGrowth([], '--max-old-space-size=512  --heap-growing-percent=10')).toBe(true);
    expect(userSetHeapGrowth(['--heap-growing-percent', '10'], undefined)).toBe(true);
  });
});
