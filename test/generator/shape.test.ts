import { describe, expect, it } from 'vitest';
import { parseHours } from '../../src/generator/hours.js';
import { parseCurve, parseSchedule } from '../../src/generator/settings.js';
import { local, simulate, withinBinomial } from './sim.js';

const must = <T>(p: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!p.ok) throw new Error(p.error);
  return p.value;
};
const MINUTE = 60_000_000;
const HOUR = 60 * MINUTE;
const ZONE = 'Europe/Paris';
const HOURS = 'Mon-Fri 07:00-19:30, Sat 08:00-18:00, Sun 09:00-13:00';
const DAILY = '07:1.4, 08:2.2, 09:1.3, 10:0.9, 12:2, 14:0.6, 17:1.3';
const WEEKLY = 'Mon:0.8, Tue:0.9, Wed:1, Fri:1.25, Sat:1.2, Sun:0.85';

describe('opening hours and volume curves (issue 12 items 1–2)', () => {
  // from before the spring change of clocks in Paris (29 March 2026) to well after
  const start = Date.UTC(2026, 2, 2, 0, 0) * 1000;
  const txs = simulate({ hours: must(parseHours(HOURS)), timeZone: ZONE, dailyCurve: must(parseCurve(DAILY, 'daily')), weeklyCurve: must(parseCurve(WEEKLY, 'weekly')) },
    { seed: 12, startTime: start, count: 450_000 });
  const hours = must(parseHours(HOURS))!;
  const locals = txs.map((tx) => local(tx.time, ZONE));

  it('sells only while open, in the store\'s time zone, across a change of clocks', () => {
    const closed = txs.filter((tx, i) => {
      const { day, hour, minute } = locals[i];
      const m = hour * 60 + minute;
      return !hours[day].some(([open, close]) => m >= open && m < close);
    });
    expect(closed.map((tx) => tx.transactionTime).slice(0, 5)).toEqual([]);
    expect(txs[txs.length - 1].time - start).toBeGreaterThan(5 * 7 * 24 * HOUR); // weeks, the change of clocks (29 March) included
  });

  it('skips closed time at once: the first sale of a day is at opening time, give or take a gap', () => {
    const opens = txs.map((_, i) => i).filter((i) => i > 0 && txs[i].time - txs[i - 1].time > HOUR);
    expect(opens.length).toBeGreaterThan(30);
    for (const i of opens) {
      const tx = txs[i];
      const { day, hour, minute } = locals[i];
      const firstOpen = hours[day][0][0];
      expect(hour * 60 + minute - firstOpen, tx.transactionTime).toBeLessThanOrEqual(1);
    }
  });

  it('puts each local hour\'s share of sales within 5 binomial standard deviations of daily × weekly weight × open minutes', () => {
    const daily = must(parseCurve(DAILY, 'daily'))!;
    const weekly = must(parseCurve(WEEKLY, 'weekly'))!;
    const expected = new Map<string, number>();
    for (let d = 0; d < 7; d++) {
      for (let h = 0; h < 24; h++) {
        let open = 0;
        for (let m = h * 60; m < h * 60 + 60; m++) if (hours[d].some(([o, c]) => m >= o && m < c)) open++;
        if (open) expected.set(`${d}/${h}`, open * daily[h] * weekly[d]);
      }
    }
    // whole weeks only, so every slot has had its turn equally often
    const weeks = Math.floor((txs[txs.length - 1].time - start) / (7 * 24 * HOUR));
    const counted = txs.map((_, i) => i).filter((i) => txs[i].time < start + weeks * 7 * 24 * HOUR);
    const observed = new Map<string, number>();
    for (const i of counted) {
      const { day, hour } = locals[i];
      observed.set(`${day}/${hour}`, (observed.get(`${day}/${hour}`) ?? 0) + 1);
    }
    const total = [...expected.values()].reduce((a, b) => a + b, 0);
    expect([...observed.keys()].filter((k) => !expected.has(k))).toEqual([]);
    const off = [...expected].filter(([slot, weight]) => !withinBinomial(observed.get(slot) ?? 0, counted.length, weight / total))
      .map(([slot, weight]) => `${slot}: ${observed.get(slot) ?? 0} vs ${Math.round((counted.length * weight) / total)}`);
    expect(off).toEqual([]);
    // the shape is really there: Friday 08:00 is far busier than Monday 14:00
    expect(observed.get('4/8')! / observed.get('0/14')!).toBeGreaterThan(4);
  });
});

describe('--rate with hours and curves', () => {
  it('spends each fixed gap at the hour\'s multiplier: an hour\'s sales are its weight × the rate, to the sale', () => {
    // open 10:00–14:00 UTC every day; weights 1, 3, 2, 2 (mean 2): at --rate 1, 1800, 5400, 3600, 3600 sales
    const txs = simulate({ hours: must(parseHours('Mon-Sun 10:00-14:00')), dailyCurve: must(parseCurve('10:1, 11:3, 12:2', 'daily')) },
      { seed: 1, startTime: Date.UTC(2026, 0, 5, 10) * 1000, count: 14_400 * 3, fixedGap: 1_000_000 });
    const perHour = new Map<string, number>();
    for (const tx of txs) perHour.set(tx.transactionTime.slice(0, 13), (perHour.get(tx.transactionTime.slice(0, 13)) ?? 0) + 1);
    const days = ['2026-01-05', '2026-01-06', '2026-01-07'];
    for (const day of days) {
      expect([10, 11, 12, 13].map((h) => perHour.get(`${day} ${h}`) ?? 0), day).toEqual([1800, 5400, 3600, 3600]);
    }
    expect(perHour.size).toBe(12);
  });
});

describe('anomalies (issue 12 item 3)', () => {
  const start = Date.UTC(2026, 0, 5, 0, 0) * 1000;
  const schedule = must(parseSchedule('2026-01-05T10:00:00Z 10h storm; 2026-01-06T06:00:00Z 4h outage; 2026-01-06T12:00:00Z 10h promotion SF01 CS01'));
  const txs = simulate({ anomalySchedule: schedule, stormFactor: 0.25, promotionFactor: 4 }, { seed: 3, startTime: start, count: 60_000 });
  const between = (from: string, to: string) => txs.filter((tx) => tx.time >= Date.parse(from) * 1000 && tx.time < Date.parse(to) * 1000);

  it('reports each anomaly once, with the first transaction at or after its start', () => {
    const reported = txs.flatMap((tx) => tx.anomalies.map((a) => ({ kind: a.kind, start: a.start, seen: tx.time })));
    expect(reported.map((r) => r.kind)).toEqual(['storm', 'outage', 'promotion']);
    for (const r of reported) expect(r.seen).toBeGreaterThanOrEqual(r.start);
  });

  it('a storm lowers sales by its factor, an outage stops them', () => {
    const before = between('2026-01-05T00:00:00Z', '2026-01-05T10:00:00Z').length;
    const storm = between('2026-01-05T10:00:00Z', '2026-01-05T20:00:00Z').length;
    expect(Math.abs(storm / before - 0.25)).toBeLessThan(0.03);
    expect(between('2026-01-06T06:00:00Z', '2026-01-06T10:00:00Z')).toEqual([]);
  });

  it('a promotion multiplies its products\' propensity', () => {
    const share = (list: typeof txs, id: string) => {
      const items = list.flatMap((tx) => tx.items);
      return items.filter((i) => i.product.productId === id).length / items.length;
    };
    const normal = between('2026-01-05T00:00:00Z', '2026-01-06T06:00:00Z');
    const promo = between('2026-01-06T12:00:00Z', '2026-01-06T22:00:00Z');
    for (const id of ['SF01', 'CS01']) {
      const p = share(normal, id);
      // odds p/(1−p) × 4 for each product, renormalised with the other promoted one
      const q = share(promo, id);
      expect(q / p, id).toBeGreaterThan(2.5);
    }
    expect(share(promo, 'IS04')).toBeLessThan(share(normal, 'IS04'));
  });
});

describe('random anomalies (issue 12 item 3)', () => {
  it('come about per_week times a week, one at a time, each 30 min to 4 h, storms, outages and promotions alike', () => {
    const start = Date.UTC(2026, 0, 5) * 1000;
    // a fixed 60 s gap: 20 weeks (and more, storms stretch time) in 201,600 transactions
    const txs = simulate({ anomaliesPerWeek: 3 }, { seed: 17, startTime: start, count: 201_600, fixedGap: 60_000_000 });
    const seen = txs.flatMap((tx) => tx.anomalies);
    const weeks = (txs[txs.length - 1].time - start) / (7 * 24 * HOUR);
    expect(weeks).toBeGreaterThan(19);
    // starts 1 s to 2 × (a week / 3) after the previous end: a mean cycle of 56 h + 2.25 h
    const expected = (weeks * 7 * 24) / (56 + 2.25);
    expect(Math.abs(seen.length - expected)).toBeLessThan(4 * Math.sqrt(expected));
    for (let i = 1; i < seen.length; i++) expect(seen[i].start).toBeGreaterThanOrEqual(seen[i - 1].end);
    for (const a of seen) expect((a.end - a.start) / MINUTE).toSatisfy((m: number) => m >= 30 && m <= 240);
    expect(new Set(seen.map((a) => a.kind))).toEqual(new Set(['storm', 'outage', 'promotion']));
    // an outage has no sale inside it
    for (const a of seen.filter((x) => x.kind === 'outage')) expect(txs.some((tx) => tx.time >= a.start && tx.time < a.end)).toBe(false);
  });
});
