// Event times are carried as integer microseconds since the Unix epoch (UTC): exact for the
// 6-digit fractions the original generator writes, and safe as a JS number until year 2255.

/**
 * The years an event time may fall in: the one definition stream and batch both apply (batch's SQL
 * is built from it). Wide enough for any real sale; narrow enough that every event time, as µs, and
 * every time shown stays exact (µs are exact as a JS number until 2255).
 */
export const YEARS = { first: 1900, last: 2199 } as const;

const WIRE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]00:?00)?$/;

/** Parses the wire spellings of DESIGN §2: space or T, 0–9 fraction digits, optional Z. */
export function parseTimestamp(text: string): number | undefined {
  const m = WIRE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (year < YEARS.first || year > YEARS.last) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(ms).getUTCDate() !== day) return undefined; // 2022-02-30 and the like
  const micros = frac ? Number(frac.padEnd(6, '0').slice(0, 6)) : 0;
  return ms * 1000 + micros;
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
