// Event times are carried as integer microseconds since the Unix epoch (UTC): exact for the
// 6-digit fractions the original generator writes, and safe as a JS number until year 2255.

const WIRE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]00:?00)?$/;

/** Parses the wire spellings of DESIGN §2: space or T, 0–9 fraction digits, optional Z. */
export function parseTimestamp(text: string): number | undefined {
  const m = WIRE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac] = m;
  const month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(Number(y), month - 1, day, hour, minute, second);
  if (new Date(ms).getUTCDate() !== day) return undefined; // 2022-02-30 and the like
  const micros = frac ? Number(frac.padEnd(6, '0').slice(0, 6)) : 0;
  return ms * 1000 + micros;
}

/** Formats as the original generator did: `YYYY-MM-DD HH:MM:SS.ffffff`, UTC, no zone. */
export function formatTimestamp(micros: number): string {
  const second = Math.floor(micros / 1_000_000);
  // consecutive events share their second far more often than not: format it once
  if (second !== lastSecond) {
    const iso = new Date(second * 1000).toISOString(); // 2026-01-01T08:00:00.000Z
    lastSecond = second;
    lastSecondText = `${iso.slice(0, 10)} ${iso.slice(11, 19)}.`;
  }
  return lastSecondText + String(micros - second * 1_000_000).padStart(6, '0');
}

let lastSecond = NaN;
let lastSecondText = '';

/** ISO-8601 UTC with milliseconds, for window bounds and watermarks shown to users. */
export function isoFromMicros(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toISOString();
}
