import { describe, expect, it } from 'vitest';
import { dashboardData, trend, type Answers, type Row } from './figures.js';
import { DASHBOARD_TABLES, DAYS_SQL, dashboardQueries, previousDay } from './queries.js';
// the page's own formatting (a plain browser module)
import { age, axisDollars, change, count, dollars, exactDollars, hourLabel } from './static/format.js';

const hourRows = (day: string, hours: number[], per: Row): Row[] =>
  hours.map((h) => ({ hour: `${day} ${String(h).padStart(2, '0')}:00:00`, ...per }));

function answers(over: Partial<Answers> = {}): Answers {
  return {
    days: [{ day: '2022-08-30' }, { day: '2022-08-31' }],
    tiles: [{ purchases: 3, drinks: 4, sales: 0.3, gross_profit: 0.2 }],
    hours: hourRows('2022-08-31', [8, 10], { purchases: 1, drinks: 2, sales: 0.1, gross_profit: 0.1 }),
    previous: [{ until: '10:42:07', purchases: 3, drinks: 3, sales: 0.3, gross_profit: 0.15 }],
    hourlyByCategory: [],
    categories: [],
    fruit: [],
    products: [],
    ...over,
  };
}

describe('dashboard figures', () => {
  it('compares each tile with the day before up to the time of day of the newest purchase', () => {
    const data = dashboardData('2022-08-31', answers());
    expect(data.compared).toEqual({ date: '2022-08-30', until: '10:42:07' });
    expect(data.tiles.map((t) => [t.key, t.value, t.previous, t.trend])).toEqual([
      ['purchases', 3, 3, 'flat'],
      ['drinks', 4, 3, 'up'],
      ['sales', 0.3, 0.3, 'flat'],
      ['gross_profit', 0.2, 0.15, 'up'],
    ]);
  });

  it('has no trend when the day before has no purchases by then', () => {
    for (const previous of [[{ until: '10:42:07', purchases: 0, drinks: null, sales: null, gross_profit: null }], [{ until: null, purchases: 0 }]]) {
      const data = dashboardData('2022-08-31', answers({ previous }));
      expect(data.compared).toBeNull();
      expect(data.tiles.every((t) => t.previous === null && t.trend === 'none')).toBe(true);
    }
  });

  it('turns ↑ and ↓ only past 5 % either way', () => {
    expect([trend(105, 100), trend(105.01, 100), trend(95, 100), trend(94.99, 100), trend(1, 0), trend(0, null)]).toEqual(['flat', 'up', 'flat', 'down', 'up', 'none']);
  });

  it('gives every category a value for every hour, 0 where it sold nothing', () => {
    const data = dashboardData('2022-08-31', answers({
      hourlyByCategory: [
        { hour: '2022-08-31 08:00:00', category: 'Superfoods Smoothies', sales: 1.1 },
        { hour: '2022-08-31 10:00:00', category: 'Classic Smoothies', sales: 2.2 },
        { hour: '2022-08-31 10:00:00', category: null, sales: 3.3 },
      ],
    }));
    expect(data.hours).toEqual(['2022-08-31 08:00:00', '2022-08-31 10:00:00']);
    expect(data.hourly).toEqual([
      { name: 'Classic Smoothies', data: [0, 2.2] },
      { name: 'Superfoods Smoothies', data: [1.1, 0] },
      { name: 'Unknown', data: [0, 3.3] },
    ]);
  });

  it('lists the 10 products with most sales (ties by product id) and totals over all of them', () => {
    const products = Array.from({ length: 12 }, (_, i) => ({ product_id: `P${String(i).padStart(2, '0')}`, drinks: i, sales: i === 11 ? 5 : i }));
    const data = dashboardData('2022-08-31', answers({ products, tiles: [{ purchases: 12, drinks: 66, sales: 60, gross_profit: 1 }] }));
    expect(data.top.rows.map((r) => r.product_id)).toEqual(['P10', 'P09', 'P08', 'P07', 'P06', 'P05', 'P11', 'P04', 'P03', 'P02']);
    expect(data.top.total).toEqual({ drinks: 66, sales: 60 });
  });

  it('asks about one UTC day, and the one before across a month end', () => {
    expect(previousDay('2022-09-01')).toBe('2022-08-31');
    expect(previousDay('2024-03-01')).toBe('2024-02-29');
    const queries = dashboardQueries('2022-09-01');
    expect(queries.tiles).toContain("DATE '2022-09-01'");
    expect(queries.previous).toContain("DATE '2022-08-31'");
  });

  it('reads only DASHBOARD_TABLES (the feed runs the queries again when one of them changes)', () => {
    const sql = [DAYS_SQL, ...Object.values(dashboardQueries('2022-09-01'))].join('\n');
    const named = new Set([...sql.matchAll(/\b(?:FROM|JOIN)\s+(\w+)/gi)].map((m) => m[1]).filter((name) => name.toLowerCase() !== 'cut'));
    expect([...named].sort()).toEqual([...DASHBOARD_TABLES].sort());
  });
});

describe("the page's number formats", () => {
  it('writes figures as the original dashboard did, exactly where asked', () => {
    expect([count(352), count(12345), dollars(2094.74), dollars(1223.28), exactDollars(2094.74), exactDollars(-5)]).toEqual(['352', '12,345', '$2,095', '$1,223', '$2,094.74', '-$5.00']);
    expect([axisDollars(250), axisDollars(1000), axisDollars(2500)]).toEqual(['$250', '$1K', '$2.5K']);
    expect([hourLabel('2022-08-31 00:00:00'), hourLabel('2022-08-31 09:00:00'), hourLabel('2022-08-31 12:00:00'), hourLabel('2022-08-31 19:00:00')]).toEqual(['12am', '9am', '12pm', '7pm']);
    expect([age(400), age(42_000), age(300_000), age(7_200_000), age(86_400_000)]).toEqual(['now', '42 s', '5 min', '2 h', '1 day']);
    expect([change(110, 100), change(50, 100), change(1, 0)]).toEqual(['+10 %', '−50 %', '']);
  });
});
