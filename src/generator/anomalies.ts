import type { RandomSource } from './random.js';

export type AnomalyKind = 'storm' | 'outage' | 'promotion';
export const ANOMALY_KINDS: readonly AnomalyKind[] = ['storm', 'outage', 'promotion'];

/** A period that changes sales (issue 12 item 3): fewer (storm), none (outage) or more of some products (promotion). */
export interface Anomaly {
  kind: AnomalyKind;
  /** µs since the epoch, [start, end). */
  start: number;
  end: number;
  /** Multiplier on the rate of sales: the storm factor, 0 for an outage, 1 for a promotion. */
  rate: number;
  /** Promotion: the products (catalog positions) whose propensity is multiplied by `factor`. */
  products: number[];
  factor: number;
  scheduled: boolean;
}

/** A scheduled anomaly as configured: `2026-01-02T12:00:00Z 2h storm`, `… 3h promotion SF01 SF02`. */
export interface PlannedAnomaly {
  kind: AnomalyKind;
  start: number;
  duration: number;
  productIds: string[];
}

export interface AnomalyOptions {
  planned: PlannedAnomaly[];
  /** Random anomalies per simulated week, on average; 0 = none. */
  perWeek: number;
  stormFactor: number;
  promotionFactor: number;
  /** The catalog's product ids, by position. */
  productIds: string[];
  /** Its own seeded source: anomalies never change the sales draws. */
  random: RandomSource;
  startTime: number;
}

const NONE: Anomaly[] = [];
const WEEK_SECONDS = 7 * 86_400;
const MINUTE = 60_000_000;

/**
 * Every anomaly of a run in time order: the planned ones, and random ones drawn as time moves on
 * (gaps of 1 s to twice the mean, 30 min to 4 h long, a random kind; a promotion on 2 or 3
 * random products). A random anomaly that would overlap another is dropped, so at most one is
 * under way at any time. Asked with times that never go back.
 */
export class AnomalySchedule {
  private readonly list: Anomaly[] = [];
  private readonly planned: Anomaly[];
  /** Index in `list` of the first anomaly not yet over at the last time asked. */
  private current = 0;
  /** Index in `list` of the first anomaly takeStarted has not handed out. */
  private handedOut = 0;
  private nextRandom: number;
  private readonly maxGap: number;

  constructor(private readonly opts: AnomalyOptions) {
    this.planned = opts.planned.map((p) => this.make(p.kind, p.start, p.start + p.duration, p.productIds.map((id) => opts.productIds.indexOf(id)), true))
      .sort((a, b) => a.start - b.start);
    this.maxGap = opts.perWeek > 0 ? Math.max(1, Math.round((2 * WEEK_SECONDS) / opts.perWeek)) : 0;
    this.nextRandom = this.maxGap ? opts.startTime + opts.random.int(1, this.maxGap) * 1_000_000 : Infinity;
  }

  /** The anomaly under way at t. */
  at(t: number): Anomaly | undefined {
    this.extend(t);
    while (this.current < this.list.length && this.list[this.current].end <= t) this.current++;
    const a = this.list[this.current];
    return a && a.start <= t ? a : undefined;
  }

  /** The start of the next anomaly after t (Infinity when none will come). */
  nextStart(t: number): number {
    this.extend(t);
    for (let i = this.current; i < this.list.length; i++) if (this.list[i].start > t) return this.list[i].start;
    return Infinity;
  }

  /** The anomalies starting by t that were not handed out yet, in time order. */
  takeStarted(t: number): Anomaly[] {
    // the list is in time order: a known anomaly not handed out yet and still ahead means none is due
    const next = this.list[this.handedOut];
    if (next !== undefined && next.start > t) return NONE;
    this.extend(t);
    if (this.handedOut >= this.list.length || this.list[this.handedOut].start > t) return NONE;
    const started: Anomaly[] = [];
    while (this.handedOut < this.list.length && this.list[this.handedOut].start <= t) started.push(this.list[this.handedOut++]);
    return started;
  }

  /** Adds anomalies until one starts after t (or none is left to come). */
  private extend(t: number): void {
    for (;;) {
      const last = this.list[this.list.length - 1];
      if (last && last.start > t) return;
      const planned = this.planned[0];
      if (planned === undefined && this.nextRandom === Infinity) return;
      if (planned !== undefined && planned.start <= this.nextRandom) {
        this.list.push(this.planned.shift()!);
        continue;
      }
      const random = this.drawRandom(this.nextRandom);
      this.nextRandom = random.end + this.opts.random.int(1, this.maxGap) * 1_000_000;
      const overlaps = (last !== undefined && random.start < last.end) || (planned !== undefined && planned.start < random.end);
      if (!overlaps) this.list.push(random);
    }
  }

  private drawRandom(start: number): Anomaly {
    const { random } = this.opts;
    const kind = ANOMALY_KINDS[random.int(0, 2)];
    const end = start + random.int(30, 240) * MINUTE;
    const n = this.opts.productIds.length;
    const products: number[] = [];
    if (kind === 'promotion') {
      const wanted = Math.min(n, random.int(2, 3));
      while (products.length < wanted) {
        const p = random.int(0, n - 1);
        if (!products.includes(p)) products.push(p);
      }
    }
    return this.make(kind, start, end, products, false);
  }

  private make(kind: AnomalyKind, start: number, end: number, products: number[], scheduled: boolean): Anomaly {
    const rate = kind === 'storm' ? this.opts.stormFactor : kind === 'outage' ? 0 : 1;
    return { kind, start, end, rate, products, factor: kind === 'promotion' ? this.opts.promotionFactor : 1, scheduled };
  }
}

/** An anomaly as one line of text: `storm 2026-01-02 12:00:00 → 14:00:00 (sales × 0.2)`. */
export function describeAnomaly(a: Anomaly, productIds: string[]): string {
  const effect = a.kind === 'storm' ? `sales × ${a.rate}` : a.kind === 'outage' ? 'no sales'
    : `${a.products.map((p) => productIds[p]).join(', ')} propensity × ${a.factor}`;
  return `${a.kind} from ${iso(a.start)} to ${iso(a.end)} (${effect}${a.scheduled ? ', scheduled' : ''})`;
}

function iso(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toISOString().replace('.000Z', 'Z');
}
