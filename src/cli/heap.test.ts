import { describe, expect, it } from 'vitest';
import { userSetHeapGrowth } from './heap.js';

describe('userSetHeapGrowth', () => {
  it('is false when node was not given the flag', () => {
    expect(userSetHeapGrowth([])).toBe(false);
    expect(userSetHeapGrowth(['--max-old-space-size=512', '--enable-source-maps'])).toBe(false);
    expect(userSetHeapGrowth(['--heap-growing', '--heap-growing-percentage=3'])).toBe(false);
  });

  it('sees the flag in node\'s arguments, spelt with dashes or underscores', () => {
    expect(userSetHeapGrowth(['--heap-growing-percent=50'])).toBe(true);
    expect(userSetHeapGrowth(['--heap_growing_percent=50'])).toBe(true);
    expect(userSetHeapGrowth(['--max-old-space-size=512', '--heap-growing-percent=10'])).toBe(true);
    expect(userSetHeapGrowth(['--heap-growing-percent', '10'])).toBe(true);
  });
});
