// Event times are carried as integer microseconds since the Unix epoch (UTC): exact for the
// 6-digit fractions the original generator writes, and safe as a JS number until year 2255.

/**
 * The years an event time may fall in: the one definition stream and batch both apply (batch's SQL
 * is built from it). Wide enough for any real sale; narrow enough that every event time, as µs, and
 * every time shown stays exact (µs are exact as a JS number until 2255).
 */
export const YEARS = { first: 1900, last: 2199 } as const;

/**
 * Parses the wire spellings of DESIGN §2: space or T, 0–9 fraction digits, optional Z (or a zero
 * offset), i.e. /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]00:?00)?$/.
 * Read character by character: every purchase goes through here, and the regular expression's
 * match and strings cost more than the rest of its checks together.
 */
export function parseTimestamp(text: string): number | undefined {
  const n = text.length;
  if (n < 19 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH || text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON) return undefined;
  const separator = text.charCodeAt(10);
  if (separator !== SPACE && separator !== T) return undefined;
  const year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  const hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let i = 19;
  let micros = 0;
  if (i < n && text.charCodeAt(i) === DOT) {
    const first = ++i;
    while (i < n && i - first < 9 && isDigit(text.charCodeAt(i))) {
      if (i - first < 6) micros = micros * 10 + text.charCodeAt(i) - ZERO;
      i++;
    }
    const count = i - first;
    if (count === 0) return undefined;
    for (let k = count; k < 6; k++) micros *= 10;
  }
  if (i < n && !zeroOffset(text, i)) return undefined;
  if (year < YEARS.first || year > YEARS.last) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const dayMs = dayStart(year, month, day);
  if (dayMs === undefined) return undefined; // 2022-02-30 and the like
  return (dayMs + ((hour * 60 + minute) * 60 + second) * 1000) * 1000 + micros;
}

const ZERO = 48, DASH = 45, COLON = 58, SPACE = 32, T = 84, DOT = 46, Z = 90, PLUS = 43;
const isDigit = (c: number) => c >= ZERO && c <= ZERO + 9;

/** The number `length` decimal digits at `at` spell, or -1. */
function digits(text: string, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return -1;
    value = value * 10 + c - ZERO;
  }
  return value;
}

/** True when the rest of `text` from `at` is Z, +00:00, -0000 or the like. */
function zeroOffset(text: string, at: number): boolean {
  const rest = text.length - at;
  const sign = text.charCodeAt(at);
  if (sign === Z) return rest === 1;
  if (sign !== PLUS && sign !== DASH) return false;
  const colon = rest === 6 && text.charCodeAt(at + 3) === COLON;
  if (rest !== 5 && !colon) return false;
  return digits(text, at + 1, 2) === 0 && digits(text, at + (colon ? 4 : 3), 2) === 0;
}

let lastDayKey = -1;
let lastDayStart: number | undefined;

/** Epoch ms of a day's start, undefined for a day the month does not have; the last day asked is kept (times come in runs). */
function dayStart(year: number, month: number, day: number): number | undefined {
  const key = (year * 100 + month) * 100 + day;
  if (key !== lastDayKey) {
    const ms = Date.UTC(year, month - 1, day);
    lastDayKey = key;
    lastDayStart = new Date(ms).getUTCDate() === day ? ms : undefined;
  }
  return lastDayStart;
}

/** Formats as the original generator did: `YYYY-MM-DD HH:MM:SS.ffffff`, UTC, no zone. */
export function formatTimestamp(micros: number): string {
  const second = Math.floor(micros / 1_000_000);
  const day = Math.floor(second / 86_400);
  // the generator formats one timestamp per transaction: only the date goes through Date
  if (day !== lastDay) {
    lastDay = day;
    lastDayText = new Date(day * 86_400_000).toISOString().slice(0, 10) + ' ';
  }
  const inDay = second - day * 86_400;
  const hour = Math.floor(inDay / 3600);
  const minute = Math.floor((inDay - hour * 3600) / 60);
  const fraction = micros - second * 1_000_000;
  return lastDayText + TWO_DIGITS[hour] + ':' + TWO_DIGITS[minute] + ':' + TWO_DIGITS[inDay % 60] + '.' + String(fraction).padStart(6, '0');
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
let lastDay = NaN;
let lastDayText = '';

/** ISO-8601 UTC with milliseconds, for window bounds and watermarks shown to users. */
export function isoFromMicros(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toISOString();
}
