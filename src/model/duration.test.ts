import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads a number with a unit as milliseconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration(' 30s ')).toBe(30_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('0s')).toBe(0);
  });
  it('refuses a bare number, a unit it does not know and other text', () => {
    for (const text of ['0', '30', '10 parsecs', 'soon', '-5s', '', 'h']) expect(parseDuration(text)).toBeUndefined();
  });
});
