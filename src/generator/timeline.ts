import { isOpen, WEEK_MINUTES, type LocalClock, type OpeningHours } from './hours.js';
import type { AnomalySchedule, Anomaly } from './anomalies.js';

const MINUTE = 60_000_000;

export interface TimelineOptions {
  clock: LocalClock;
  hours?: OpeningHours;
  /** 24 weights by local hour; undefined = flat. */
  daily?: number[];
  /** 7 weights by local day, Monday first; undefined = flat. */
  weekly?: number[];
  anomalies?: AnomalySchedule;
}

/**
 * When sales happen (issue 12 items 1–3): the store's rate of sales as a multiplier of the rules'
 * rate, piecewise constant — 0 while closed or in an outage, the daily × weekly curve while open
 * (scaled so that its mean over the open week is 1), times a storm's factor.
 *
 * Time is warped rather than sales thinned: a transaction's gap (µs, drawn as before) is spent
 * at the current multiplier, so the gap in event time is gap / multiplier, and closed time is
 * skipped at once. No extra random draws: the timing shapes a run without changing what it sells.
 */
export class Timeline {
  /** Multiplier per local minute of the week. */
  private readonly minuteRate: Float64Array;
  private segment = { start: 1, end: 0, rate: 0, anomaly: undefined as Anomaly | undefined };

  constructor(private readonly opts: TimelineOptions) {
    this.minuteRate = minuteRates(opts.hours, opts.daily, opts.weekly);
  }

  /** The time after `from` once `gap` µs of sales time (at multiplier 1) have passed. */
  advance(from: number, gap: number): number {
    let t = from;
    let left = gap;
    for (;;) {
      const s = this.segmentAt(t);
      if (s.rate > 0) {
        const capacity = (s.end - t) * s.rate;
        if (left < capacity) return t + Math.round(left / s.rate);
        left -= capacity;
      }
      t = s.end;
    }
  }

  /** The first time ≥ t at which the store sells. */
  firstOpen(t: number): number {
    return this.advance(t, 0);
  }

  /** The anomaly under way at t (t never goes back between calls). */
  anomalyAt(t: number): Anomaly | undefined {
    return this.segmentAt(t).anomaly;
  }

  private segmentAt(t: number) {
    const s = this.segment;
    if (t >= s.start && t < s.end) return s;
    const { weekMinute, intoMinute } = this.opts.clock.weekMinute(t);
    const rate = this.minuteRate[weekMinute];
    // a run of equal minutes, never past the local hour: time zones shift only on hour boundaries
    const hourEnd = weekMinute - (weekMinute % 60) + 60;
    let m = weekMinute + 1;
    while (m < hourEnd && this.minuteRate[m % WEEK_MINUTES] === rate) m++;
    let end = t - intoMinute + (m - weekMinute) * MINUTE;
    const anomalies = this.opts.anomalies;
    const anomaly = anomalies?.at(t);
    if (anomaly) end = Math.min(end, anomaly.end);
    else if (anomalies) end = Math.min(end, anomalies.nextStart(t));
    this.segment = { start: t, end, rate: rate * (anomaly?.rate ?? 1), anomaly };
    return this.segment;
  }
}

/** Each weight holds from its slot to the next slot listed, wrapping: [08:1.8, 10:1] → 8–9 at 1.8. */
export function minuteRates(hours: OpeningHours | undefined, daily?: number[], weekly?: number[]): Float64Array {
  const raw = new Float64Array(WEEK_MINUTES);
  let sum = 0;
  let open = 0;
  for (let m = 0; m < WEEK_MINUTES; m++) {
    if (!isOpen(hours, m)) continue;
    const weight = (daily?.[Math.floor(m / 60) % 24] ?? 1) * (weekly?.[Math.floor(m / 1440)] ?? 1);
    raw[m] = weight;
    sum += weight;
    open++;
  }
  // mean 1 over the open week: the rules' gaps stay the mean gap while open
  const mean = open ? sum / open : 1;
  if (mean > 0) for (let m = 0; m < WEEK_MINUTES; m++) raw[m] /= mean;
  return raw;
}
