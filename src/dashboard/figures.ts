// The dashboard's figures from the answers to its queries (queries.ts): what the page draws, as
// plain data. Money stays a number of dollars exact to the cent; sums here are in integer cents.
// Pure.
import type { Cell } from '../batch/result.js';
import { previousDay } from './queries.js';

export type Row = Record<string, Cell>;

/** ↑, ↓ or → against the same hours of the day before; none when that day has no purchases. */
export type Trend = 'up' | 'down' | 'flat' | 'none';

export interface Tile {
  key: 'purchases' | 'drinks' | 'sales' | 'gross_profit';
  label: string;
  note?: string;
  kind: 'count' | 'money';
  value: number;
  /** The same figure for the day before, up to the same time of day; null when it has no purchases then. */
  previous: number | null;
  trend: Trend;
}

export interface Series {
  name: string;
  data: number[];
}

export interface Slice {
  name: string;
  value: number;
}

export interface ProductRow {
  product_id: string;
  drinks: number;
  sales: number;
}

export interface DashboardData {
  /** The day shown, YYYY-MM-DD; null while there are no purchases at all. */
  date: string | null;
  /** Days with purchases, oldest first. */
  days: string[];
  /** The trend's comparison: the day before, up to the time of day (HH:MM:SS) of the shown day's newest purchase. */
  compared: { date: string; until: string } | null;
  tiles: Tile[];
  /** Hours of the day with purchases (YYYY-MM-DD HH:00:00); every series has one value per hour. */
  hours: string[];
  /** Sales per hour, one series per drink category (stacked bars). */
  hourly: Series[];
  /** Sales up to the end of each hour. */
  cumulative: number[];
  /** Drinks (sum of quantity) per category. */
  categories: Slice[];
  /** Drinks with and without fruit. */
  fruit: Slice[];
  /** The live table: the 10 products with most sales, and the day's totals over every product. */
  top: { rows: ProductRow[]; total: { drinks: number; sales: number } };
}

export interface Answers {
  days: Row[];
  tiles: Row[];
  hours: Row[];
  previous: Row[];
  hourlyByCategory: Row[];
  categories: Row[];
  fruit: Row[];
  products: Row[];
}

/** Within this fraction of the day before, the arrow is flat (→). */
export const FLAT_WITHIN = 0.05;
export const TOP_PRODUCTS = 10;

const TILES: Omit<Tile, 'value' | 'previous' | 'trend'>[] = [
  { key: 'purchases', label: 'Sales Transactions', kind: 'count' },
  { key: 'drinks', label: 'Drinks Sold', kind: 'count' },
  { key: 'sales', label: 'Sales', kind: 'money' },
  { key: 'gross_profit', label: 'Gross Profit', note: 'Before add-ons and member discounts', kind: 'money' },
];

const cents = (x: Cell) => Math.round(Number(x ?? 0) * 100);
const num = (x: Cell) => Number(x ?? 0);
const label = (x: Cell) => (x === null ? 'Unknown' : String(x));

export function trend(value: number, previous: number | null): Trend {
  if (previous === null) return 'none';
  if (value > previous * (1 + FLAT_WITHIN)) return 'up';
  if (value < previous * (1 - FLAT_WITHIN)) return 'down';
  return 'flat';
}

export function dashboardData(date: string, answers: Answers): DashboardData {
  const days = answers.days.map((r) => String(r.day));
  const day = answers.tiles[0] ?? {};
  const dayHours = answers.hours.filter((r) => r.hour !== null);
  const before = answers.previous[0];
  const compare = before !== undefined && before.until !== null && num(before.purchases) > 0;
  const tiles = TILES.map((t): Tile => {
    const value = num(day[t.key] ?? 0);
    const previous = compare ? num(before[t.key]) : null;
    return { ...t, value, previous, trend: trend(value, previous) };
  });

  const hours = dayHours.map((r) => String(r.hour));
  const categories = [...new Set(answers.hourlyByCategory.map((r) => label(r.category)))].sort();
  const hourly = categories.map((name) => ({
    name,
    data: hours.map((h) => answers.hourlyByCategory.filter((r) => String(r.hour) === h && label(r.category) === name).reduce((s, r) => s + cents(r.sales), 0) / 100),
  }));

  const products = answers.products
    .map((r) => ({ product_id: label(r.product_id), drinks: num(r.drinks), sales: num(r.sales) }))
    .sort((a, b) => b.sales - a.sales || (a.product_id < b.product_id ? -1 : a.product_id > b.product_id ? 1 : 0));

  return {
    date,
    days,
    compared: compare ? { date: previousDay(date), until: String(before.until) } : null,
    tiles,
    hours,
    hourly,
    cumulative: dayHours.map((r) => num(r.cumulative_sales)),
    categories: answers.categories.map((r) => ({ name: label(r.category), value: num(r.drinks) })),
    fruit: answers.fruit.map((r) => ({ name: r.contains_fruit === null ? 'Unknown' : r.contains_fruit ? 'Fruit' : 'No fruit', value: num(r.drinks) })),
    top: {
      rows: products.slice(0, TOP_PRODUCTS),
      total: { drinks: num(day.drinks ?? 0), sales: num(day.sales ?? 0) },
    },
  };
}

/** The page before any purchase exists. */
export function emptyDashboard(days: string[] = []): DashboardData {
  return {
    date: null, days, compared: null, tiles: TILES.map((t) => ({ ...t, value: 0, previous: null, trend: 'none' })),
    hours: [], hourly: [], cumulative: [], categories: [], fruit: [], top: { rows: [], total: { drinks: 0, sales: 0 } },
  };
}
