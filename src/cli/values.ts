import { UsageError } from '../errors.js';
import { parseDuration } from '../model/duration.js';
import { parseTimestamp } from '../model/timestamp.js';

// Parsers for flag values: each accepts one spelling set and says what it accepts when it refuses.

export function wholeNumber(flag: string, text: string, min = 0): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not accepted: use a whole number ≥ ${min}`);
  }
  return value;
}

export function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not accepted: use a number > 0`);
  }
  return value;
}

/** Durations like 500ms, 30s, 10m, 1h (the `ms` package's spellings); returns milliseconds. */
export function duration(flag: string, text: string, { allowZero = false } = {}): number {
  const value = parseDuration(text);
  if (value === undefined || value < 0 || (!allowZero && value === 0)) {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a duration: use a number with a unit, like 500ms, 30s, 10m or 1h`);
  }
  return value;
}

/** An ISO-8601 time (zone optional, UTC assumed) → µs since the epoch. */
export function isoTime(flag: string, text: string): number {
  const micros = parseTimestamp(text.trim());
  if (micros === undefined) throw new UsageError(`${flag} ${JSON.stringify(text)} is not accepted: use an ISO time such as 2026-01-01T08:00:00Z`);
  return micros;
}

/** One UTC day, YYYY-MM-DD (safe to put in SQL as it is). */
export function utcDay(flag: string, text: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || parseTimestamp(`${text} 00:00:00`) === undefined) {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not accepted: use a day as YYYY-MM-DD`);
  }
  return text;
}

export function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not accepted: use ${allowed.join(' or ')}`);
  }
  return text as T;
}

