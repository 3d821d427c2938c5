import { describe, expect, it } from 'vitest';
import { formatTimestamp, isoFromMicros, parseTimestamp } from './timestamp.js';

describe('timestamps', () => {
  const base = Date.UTC(2022, 7, 31, 8, 0, 34) * 1000;

  it('parses the original wire format to the microsecond', () => {
    expect(parseTimestamp('2022-08-31 08:00:34.721802')).toBe(base + 721802);
  });

  it('accepts a missing or short fraction, a T separator and a trailing Z', () => {
    expect(parseTimestamp('2022-08-31 08:00:34')).toBe(base);
    expect(parseTimestamp('2022-08-31 08:00:34.7')).toBe(base + 700000);
    expect(parseTimestamp('2022-08-31T08:00:34.721802Z')).toBe(base + 721802);
    expect(parseTimestamp('2022-08-31T08:00:34Z')).toBe(base);
    expect(parseTimestamp('2022-08-31T08:00:34.123456789Z')).toBe(base + 123456);
  });

  it('rejects what is not a timestamp', () => {
    for (const bad of ['', 'yesterday', '2022-08-31', '2022-13-01 00:00:00', '2022-02-30 00:00:00', '2022-08-31 24:00:00', '2022-08-31 08:00:34+02:00']) {
      expect(parseTimestamp(bad), bad).toBeUndefined();
    }
  });

  it('formats as YYYY-MM-DD HH:MM:SS.ffffff and round-trips', () => {
    expect(formatTimestamp(base + 721802)).toBe('2022-08-31 08:00:34.721802');
    expect(formatTimestamp(base)).toBe('2022-08-31 08:00:34.000000');
    const t = Date.UTC(1999, 11, 31, 23, 59, 59) * 1000 + 999999;
    expect(parseTimestamp(formatTimestamp(t))).toBe(t);
    expect(isoFromMicros(base + 721802)).toBe('2022-08-31T08:00:34.721Z');
  });
});
