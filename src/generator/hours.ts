// Opening hours and the store's local time (issue 12 item 1). Pure: the clock is always passed in.

export const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export const WEEK_MINUTES = 7 * 24 * 60;

/** Open time per weekday (0 = Monday), as [open, close) minutes of the local day. */
export type OpeningHours = [open: number, close: number][][];

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const GROUP = /^([A-Za-z]{3})(?:-([A-Za-z]{3}))?\s+(.+)$/;
const RANGE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

function dayIndex(name: string): number {
  return DAYS.findIndex((d) => d.toLowerCase() === name.toLowerCase());
}

/**
 * `Mon-Fri 08:00-20:00, Sat-Sun 09:00-18:00` (a day or a range of days, wrapping as Fri-Mon,
 * then one or more HH:MM-HH:MM ranges; 24:00 is midnight at the end of the day). Days not named
 * are closed. Empty text = always open (undefined).
 */
export function parseHours(text: string): Parsed<OpeningHours | undefined> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: undefined };
  const week: OpeningHours = DAYS.map(() => []);
  for (const part of trimmed.split(',')) {
    const m = GROUP.exec(part.trim());
    const bad = (why: string): Parsed<never> => ({ ok: false, error: `"${part.trim()}" ${why}; write e.g. Mon-Fri 08:00-20:00, Sat-Sun 09:00-18:00` });
    if (!m) return bad('is not days and times');
    const from = dayIndex(m[1]);
    const to = m[2] === undefined ? from : dayIndex(m[2]);
    if (from < 0 || to < 0) return bad(`names an unknown day (use ${DAYS.join(' ')})`);
    for (const range of m[3].trim().split(/\s+/)) {
      const r = RANGE.exec(range);
      if (!r) return bad(`has "${range}", not HH:MM-HH:MM`);
      const open = Number(r[1]) * 60 + Number(r[2]);
      const close = Number(r[3]) * 60 + Number(r[4]);
      if (Number(r[2]) > 59 || Number(r[4]) > 59 || open > 24 * 60 || close > 24 * 60) return bad(`has "${range}", not a time of day`);
      if (close <= open) return bad(`has "${range}": closing must come after opening on the same day (24:00 is midnight)`);
      for (let d = from; ; d = (d + 1) % 7) {
        week[d].push([open, close]);
        if (d === to) break;
      }
    }
  }
  for (const day of week) {
    day.sort((a, b) => a[0] - b[0]);
    // overlapping ranges are merged, so a day's ranges are disjoint and ordered
    for (let i = 1; i < day.length; i++) {
      if (day[i][0] <= day[i - 1][1]) {
        day[i - 1][1] = Math.max(day[i - 1][1], day[i][1]);
        day.splice(i--, 1);
      }
    }
  }
  return { ok: true, value: week };
}

/** Whether the local minute of the week (0 = Monday 00:00) is open. */
export function isOpen(hours: OpeningHours | undefined, weekMinute: number): boolean {
  if (!hours) return true;
  const minute = weekMinute % 1440;
  return hours[Math.floor(weekMinute / 1440)].some(([open, close]) => minute >= open && minute < close);
}

/** The store's local time: a time zone Node's Intl knows (IANA names such as Europe/Paris). */
export interface LocalClock {
  readonly zone: string;
  /** Local minute of the week (0 = Monday 00:00) at µs since the epoch, and µs into that minute. */
  weekMinute(micros: number): { weekMinute: number; intoMinute: number };
}

const WEEKDAY: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

export function timeZoneProblem(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return undefined;
  } catch {
    return `"${zone}" is not a time zone: use an IANA name such as UTC or Europe/Paris`;
  }
}

export function localClock(zone: string): LocalClock {
  const utc = zone.toUpperCase() === 'UTC' || zone === 'Etc/UTC';
  const format = utc ? undefined : new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' });
  return {
    zone,
    weekMinute(micros) {
      const ms = Math.floor(micros / 1000);
      const minuteStart = Math.floor(ms / 60_000) * 60_000;
      const intoMinute = micros - minuteStart * 1000;
      if (!format) {
        const date = new Date(minuteStart);
        const day = (date.getUTCDay() + 6) % 7;
        return { weekMinute: day * 1440 + date.getUTCHours() * 60 + date.getUTCMinutes(), intoMinute };
      }
      // time zones differ from UTC by whole minutes: the local minute starts with the UTC one
      let day = 0, hour = 0, minute = 0;
      for (const p of format.formatToParts(minuteStart)) {
        if (p.type === 'weekday') day = WEEKDAY[p.value];
        else if (p.type === 'hour') hour = Number(p.value);
        else if (p.type === 'minute') minute = Number(p.value);
      }
      return { weekMinute: day * 1440 + hour * 60 + minute, intoMinute };
    },
  };
}
