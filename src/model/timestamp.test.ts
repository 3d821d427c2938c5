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

  it('takes years 1900–2199 only, never mapping 0050 to 1950 nor leaving µs exactness (9999)', () => {
    expect(parseTimestamp('1900-01-01 00:00:00')).toBe(Date.UTC(1900, 0, 1) * 1000);
    expect(parseTimestamp('2199-12-31 23:59:59.999999')).toBe(Date.UTC(2199, 11, 31, 23, 59, 59) * 1000 + 999999);
    for (const bad of ['0050-08-31 08:00:00', '0001-01-01 00:00:00', '1899-12-31 23:59:59.999999', '2200-01-01 00:00:00', '9999-12-31 00:00:00']) {
      expect(parseTimestamp(bad), bad).toBeUndefined();
    }
  });

  it('agrees with the wire format\'s regular expression on random near-timestamps', () => {
    // the definition (DESIGN §2), read the slow way: a match, then a calendar check
    const WIRE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]00:?00)?$/;
    const reference = (text: string) => {
      const m = WIRE.exec(text);
      if (!m) return undefined;
      const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
      if (y < 1900 || y > 2199 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
      const ms = Date.UTC(y, mo - 1, d, h, mi, s);
      if (new Date(ms).getUTCDate() !== d) return undefined;
      return ms * 1000 + (m[7] ? Number(m[7].padEnd(6, '0').slice(0, 6)) : 0);
    };
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)];
    const num = (width: number, max: number) => String(Math.floor(next() * max)).padStart(width, '0');
    let valid = 0;
    for (let i = 0; i < 20_000; i++) {
      let text = `${pick(['2026', '1900', '2199', '1899', '2200', '0050', '20x6', num(4, 10_000)])}-${pick([num(2, 13), '02', '00', '1'])}-${pick([num(2, 32), '29', '30', '31', '00'])}`
        + `${pick([' ', 'T', 't', '_'])}${num(2, 25)}:${num(2, 61)}:${num(2, 61)}`
        + pick(['', '', '.', `.${num(1, 10)}`, `.${num(6, 1e6)}`, `.${num(9, 1e9)}`, `.${num(10, 1e10)}`, '.12a'])
        + pick(['', '', 'Z', 'z', '+00:00', '-0000', '+00:0', '+01:00', '-00:00', 'Z ', '+000']);
      if (next() < 0.05) text = text.slice(0, Math.floor(next() * text.length)); // cut short
      const expected = reference(text);
      if (expected !== undefined) valid++;
      expect(parseTimestamp(text), text).toBe(expected);
    }
    expect(valid).toBeGreaterThan(100); // the draw reached valid ones too
  });

  it('formats as YYYY-MM-DD HH:MM:SS.ffffff and round-trips', () => {
    expect(formatTimestamp(base + 721802)).toBe('2022-08-31 08:00:34.721802');
    expect(formatTimestamp(base)).toBe('2022-08-31 08:00:34.000000');
    const t = Date.UTC(1999, 11, 31, 23, 59, 59) * 1000 + 999999;
    expect(parseTimestamp(formatTimestamp(t))).toBe(t);
    expect(isoFromMicros(base + 721802)).toBe('2022-08-31T08:00:34.721Z');
  });
});

describe('formatTimestamp against Date', () => {
  it('agrees with toISOString over many random instants, across days and years', () => {
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const wrong: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const micros = Math.floor(next() * 4e15) + (i % 3 === 0 ? 0 : Math.floor(next() * 1e6));
      const iso = new Date(Math.floor(micros / 1000)).toISOString();
      const expected = `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(micros % 1_000_000).padStart(6, '0')}`;
      if (formatTimestamp(micros) !== expected) wrong.push(`${micros}: ${formatTimestamp(micros)} ≠ ${expected}`);
    }
    expect(wrong.slice(0, 3)).toEqual([]);
  });
});
