import ms from 'ms';
import { parseDuration } from '../model/duration.js';
import { nameProblem } from '../model/names.js';
import { parseTimestamp } from '../model/timestamp.js';
import { ANOMALY_KINDS, type AnomalyKind, type PlannedAnomaly } from './anomalies.js';
import { DAYS, parseHours, timeZoneProblem, type OpeningHours, type Parsed } from './hours.js';
import { minuteRates } from './timeline.js';

/**
 * What issue 12 adds to the generator, every one off by default (the classic generator). The
 * profiles are presets of these; configuration.ini keys and flags override them one by one.
 */
export interface GeneratorSettings {
  hours: OpeningHours | undefined;
  timeZone: string;
  /** 24 weights by local hour, or undefined (flat). */
  dailyCurve: number[] | undefined;
  /** 7 weights by local day, Monday first, or undefined (flat). */
  weeklyCurve: number[] | undefined;
  /** µs from a restock order to its arrival; 0 = at once (the original). */
  restockLeadTime: number;
  /** Out of stock: randint(1,10) ≤ this → the customer takes another product, else leaves. */
  substituteFreq: number;
  /** A topic for one event per item wanted at an empty shelf; undefined = counted only. */
  lostSalesTopic: string | undefined;
  anomaliesPerWeek: number;
  anomalySchedule: PlannedAnomaly[];
  stormFactor: number;
  promotionFactor: number;
  lateFraction: number;
  /** µs. */
  maxDelay: number;
  duplicateFraction: number;
  malformedFraction: number;
  skew: number;
}

export const CLASSIC: GeneratorSettings = {
  hours: undefined, timeZone: 'UTC', dailyCurve: undefined, weeklyCurve: undefined,
  restockLeadTime: 0, substituteFreq: 5, lostSalesTopic: undefined,
  anomaliesPerWeek: 0, anomalySchedule: [], stormFactor: 0.2, promotionFactor: 3,
  lateFraction: 0, maxDelay: 0, duplicateFraction: 0, malformedFraction: 0, skew: 0,
};

export const PROFILE_NAMES = ['classic', 'realistic', 'chaos'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

const MINUTE = 60_000_000;
const REALISTIC_TEXT = {
  hours: 'Mon-Fri 07:00-20:00, Sat-Sun 08:00-18:00',
  daily_curve: '07:1.4, 08:2.2, 09:1.3, 10:0.9, 11:1.3, 12:2.0, 13:1.6, 14:0.6, 16:0.8, 17:1.3, 18:1.1, 19:0.7',
  weekly_curve: 'Mon:0.8, Tue:0.9, Wed:1, Thu:1, Fri:1.25, Sat:1.2, Sun:0.85',
};

/** The presets (issue 12 item 6): realistic = a café's week; chaos = realistic plus labelled disorder. */
export const PROFILES: Record<ProfileName, Partial<GeneratorSettings>> = {
  classic: {},
  realistic: {
    hours: must(parseHours(REALISTIC_TEXT.hours)),
    dailyCurve: must(parseCurve(REALISTIC_TEXT.daily_curve, 'daily')),
    weeklyCurve: must(parseCurve(REALISTIC_TEXT.weekly_curve, 'weekly')),
    restockLeadTime: 10 * MINUTE,
    anomaliesPerWeek: 2,
  },
  chaos: {},
};
PROFILES.chaos = { ...PROFILES.realistic, lateFraction: 0.03, maxDelay: 30 * 60_000_000, duplicateFraction: 0.01, malformedFraction: 0.01, skew: 1 };

function must<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/** One setting: where it lives in the ini, its flag (if any), and how its text is read. */
export interface SettingSpec {
  section: string;
  key: string;
  flag?: string;
  field: keyof GeneratorSettings;
  parse: (text: string) => Parsed<unknown>;
  /** For --help, when it has a flag. */
  help?: string;
}

const fraction = (text: string) => number(text, 0, 1);

/** Every setting, the one table the ini's validation and the flags both read (src/config, src/cli/generate.ts). */
export const SETTINGS: SettingSpec[] = [
  { section: 'STORE', key: 'hours', flag: '--hours', field: 'hours', parse: parseHours, help: 'opening hours, e.g. "Mon-Fri 08:00-20:00, Sat-Sun 09:00-18:00" (no sales outside; --fast skips closed time)' },
  { section: 'STORE', key: 'time_zone', flag: '--time-zone', field: 'timeZone', parse: parseZone, help: 'the store\'s IANA time zone for hours and curves (default UTC)' },
  { section: 'STORE', key: 'daily_curve', field: 'dailyCurve', parse: (t) => parseCurve(t, 'daily') },
  { section: 'STORE', key: 'weekly_curve', field: 'weeklyCurve', parse: (t) => parseCurve(t, 'weekly') },
  { section: 'SUPPLY', key: 'restock_lead_time', flag: '--restock-lead-time', field: 'restockLeadTime', parse: (t) => duration(t, true), help: 'restocks arrive this long after they are ordered (e.g. 2h; 0 = at once); an empty shelf loses sales' },
  { section: 'SUPPLY', key: 'substitute_freq', field: 'substituteFreq', parse: (t) => number(t, 0, 10, true) },
  { section: 'SUPPLY', key: 'lost_sales_topic', flag: '--lost-sales-topic', field: 'lostSalesTopic', parse: parseTopic, help: 'with a restock lead time: one event per item wanted at an empty shelf (lost or taken as another product) on this topic' },
  { section: 'ANOMALIES', key: 'per_week', flag: '--anomalies-per-week', field: 'anomaliesPerWeek', parse: (t) => number(t, 0, 1000), help: 'random storms, outages and promotions per simulated week, on average' },
  { section: 'ANOMALIES', key: 'schedule', flag: '--anomalies', field: 'anomalySchedule', parse: parseSchedule, help: 'scheduled anomalies: "2026-01-02T12:00:00Z 2h storm; 2026-01-03T09:00:00Z 3h promotion SF01 SF02"' },
  { section: 'ANOMALIES', key: 'storm_factor', field: 'stormFactor', parse: (t) => number(t, 0, 1) },
  { section: 'ANOMALIES', key: 'promotion_factor', field: 'promotionFactor', parse: (t) => number(t, 1, 100) },
  { section: 'DISORDER', key: 'late_fraction', flag: '--late-fraction', field: 'lateFraction', parse: fraction, help: 'fraction of purchases delivered late (written after later ones; transaction_time kept)' },
  { section: 'DISORDER', key: 'max_delay', flag: '--max-delay', field: 'maxDelay', parse: (t) => duration(t, true), help: 'a late purchase\'s delay is up to this (e.g. 30m)' },
  { section: 'DISORDER', key: 'duplicate_fraction', flag: '--duplicate-fraction', field: 'duplicateFraction', parse: fraction, help: 'fraction of purchases written twice' },
  { section: 'DISORDER', key: 'malformed_fraction', flag: '--malformed-fraction', field: 'malformedFraction', parse: fraction, help: 'fraction of purchases damaged: truncated JSON, a field missing, a wrong type, a bad timestamp' },
  { section: 'DISORDER', key: 'skew', flag: '--skew', field: 'skew', parse: (t) => number(t, 0, 5), help: 'hot keys: the k-th most popular product\'s propensity ÷ k^S (0 = the catalog\'s)' },
];

/** A profile, then each layer (ini, flags) over it; the combination is checked as a whole. */
export function resolveSettings(profile: ProfileName, ...layers: Partial<GeneratorSettings>[]): Parsed<GeneratorSettings> {
  const s: GeneratorSettings = Object.assign({}, CLASSIC, PROFILES[profile], ...layers);
  if (s.lateFraction + s.duplicateFraction + s.malformedFraction > 1) {
    return { ok: false, error: 'late, duplicate and malformed fractions add up to more than 1' };
  }
  if (s.lateFraction > 0 && s.maxDelay < 1_000_000) return { ok: false, error: 'a late fraction needs a max delay of at least 1s (--max-delay)' };
  if (s.lostSalesTopic !== undefined && s.restockLeadTime === 0) return { ok: false, error: 'a lost-sales topic needs a restock lead time (without one no shelf is ever empty)' };
  const rates = minuteRates(s.hours, s.dailyCurve, s.weeklyCurve);
  if (!rates.some((r) => r > 0)) return { ok: false, error: 'the opening hours and curves leave no time to sell in the week' };
  return { ok: true, value: s };
}

/** True when the settings are the classic generator's (the run is today's, byte for byte). */
export function isClassic(s: GeneratorSettings): boolean {
  return (Object.keys(CLASSIC) as (keyof GeneratorSettings)[]).every((k) => JSON.stringify(s[k]) === JSON.stringify(CLASSIC[k]));
}

/** What the settings add to the classic generator, in a few words each (for the summary). */
export function describeSettings(s: GeneratorSettings): string[] {
  const parts: string[] = [];
  const percent = (f: number) => `${+(f * 100).toFixed(3)} %`;
  const minutes = (us: number) => ms(Math.round(us / 1000));
  if (s.hours) parts.push(`opening hours (${s.timeZone})`);
  if (s.dailyCurve || s.weeklyCurve) parts.push([s.dailyCurve && 'daily', s.weeklyCurve && 'weekly'].filter(Boolean).join(' and ') + ' curves');
  if (s.restockLeadTime > 0) parts.push(`restocks after ${minutes(s.restockLeadTime)}`);
  if (s.anomaliesPerWeek > 0) parts.push(`${s.anomaliesPerWeek} random anomalies a week`);
  if (s.anomalySchedule.length) parts.push(`${s.anomalySchedule.length} scheduled anomalies`);
  if (s.lateFraction > 0) parts.push(`${percent(s.lateFraction)} late (up to ${minutes(s.maxDelay)})`);
  if (s.duplicateFraction > 0) parts.push(`${percent(s.duplicateFraction)} duplicated`);
  if (s.malformedFraction > 0) parts.push(`${percent(s.malformedFraction)} malformed`);
  if (s.skew > 0) parts.push(`skew ${s.skew}`);
  return parts;
}

function number(text: string, min: number, max: number, integer = false): Parsed<number> {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    return { ok: false, error: `"${text}" is not accepted: use ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}` };
  }
  return { ok: true, value };
}

/** A duration like 90s, 30m, 2h (the `ms` package's spellings) → µs; "0" = none. */
function duration(text: string, allowZero: boolean): Parsed<number> {
  const t = text.trim();
  if (allowZero && t === '0') return { ok: true, value: 0 };
  const value = parseDuration(t);
  if (value === undefined || value <= 0) {
    return { ok: false, error: `"${text}" is not a duration: use a number with a unit, like 30s, 10m or 2h${allowZero ? ' (0 = none)' : ''}` };
  }
  return { ok: true, value: Math.round(value * 1000) };
}

function parseTopic(text: string): Parsed<string> {
  const problem = nameProblem(text.trim());
  return problem === undefined ? { ok: true, value: text.trim() } : { ok: false, error: problem };
}

function parseZone(text: string): Parsed<string> {
  const zone = text.trim();
  const problem = timeZoneProblem(zone);
  return problem === undefined ? { ok: true, value: zone } : { ok: false, error: problem };
}

/**
 * `08:1.8, 10:1, 12:2` (daily: local hours) or `Mon:0.8, Fri:1.25` (weekly): each weight holds
 * from its hour or day to the next one listed, wrapping round. Empty = flat (undefined).
 */
export function parseCurve(text: string, kind: 'daily' | 'weekly'): Parsed<number[] | undefined> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: undefined };
  const slots = kind === 'daily' ? 24 : 7;
  const example = kind === 'daily' ? '07:1.5, 12:2, 15:0.6' : 'Mon:0.8, Fri:1.3';
  const points = new Map<number, number>();
  for (const part of trimmed.split(',')) {
    const [slotText, weightText, extra] = part.trim().split(':').map((p) => p.trim());
    const slot = kind === 'daily' ? (/^\d{1,2}$/.test(slotText) ? Number(slotText) : -1) : DAYS.findIndex((d) => d.toLowerCase() === slotText.toLowerCase());
    const weight = Number(weightText);
    if (extra !== undefined || slot < 0 || slot >= slots || weightText === undefined || weightText === '' || !Number.isFinite(weight) || weight < 0 || weight > 1000) {
      return { ok: false, error: `"${part.trim()}" is not ${kind === 'daily' ? 'HOUR:WEIGHT (hour 0–23)' : 'DAY:WEIGHT (Mon…Sun)'} with a weight from 0 to 1000; write e.g. ${example}` };
    }
    points.set(slot, weight);
  }
  const first = Math.min(...points.keys());
  const curve: number[] = [];
  let current = points.get(Math.max(...points.keys()))!;
  for (let s = 0; s < slots; s++) {
    current = points.get(s) ?? (s < first ? points.get(Math.max(...points.keys()))! : current);
    curve.push(current);
  }
  return { ok: true, value: curve };
}

/**
 * `START DURATION KIND [PRODUCT…]` entries separated by ';': `2026-01-02T12:00:00Z 2h storm;
 * 2026-01-03T09:00:00Z 3h promotion SF01 SF02`. Products are checked against the catalog later.
 */
export function parseSchedule(text: string): Parsed<PlannedAnomaly[]> {
  const planned: PlannedAnomaly[] = [];
  for (const entry of text.split(';').map((e) => e.trim()).filter(Boolean)) {
    const [startText, durationText, kindText, ...productIds] = entry.split(/\s+/);
    const bad = (why: string): Parsed<never> => ({ ok: false, error: `"${entry}" ${why}; write e.g. 2026-01-02T12:00:00Z 2h storm; 2026-01-03T09:00:00Z 3h promotion SF01 SF02` });
    const start = parseTimestamp(startText ?? '');
    if (start === undefined) return bad('does not start with an ISO time');
    const length = duration(durationText ?? '', false);
    if (!length.ok) return bad(`has no duration (${length.error})`);
    if (!ANOMALY_KINDS.includes(kindText as AnomalyKind)) return bad(`has no kind: use ${ANOMALY_KINDS.join(', ')}`);
    if ((kindText === 'promotion') !== (productIds.length > 0)) return bad(kindText === 'promotion' ? 'names no product to promote' : 'names products, which only a promotion takes');
    planned.push({ kind: kindText as AnomalyKind, start, duration: length.value, productIds });
  }
  planned.sort((a, b) => a.start - b.start);
  for (let i = 1; i < planned.length; i++) {
    if (planned[i].start < planned[i - 1].start + planned[i - 1].duration) return { ok: false, error: 'scheduled anomalies overlap: one at a time' };
  }
  return { ok: true, value: planned };
}
