// The dashboard's figures computed independently for the tests: plain reduces over the purchase
// records and configuration/products.csv, money in integer cents, no SQL.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { catalogCogs, kpis, top, type PurchaseRecord } from '../batch/oracle.js';

const CATALOG = resolve(import.meta.dirname, '../../configuration/products.csv');
const cents = (x: number) => Math.round(x * 100);

interface Product {
  category: string;
  fruit: boolean;
}

function catalog(): Map<string, Product> {
  const rows = readFileSync(CATALOG, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  return new Map(rows.map((c) => [c[0], { category: c[1], fruit: c[7] === 'TRUE' }]));
}

function sumBy<K>(items: PurchaseRecord[], key: (p: PurchaseRecord) => K, value: (p: PurchaseRecord) => number): Map<K, number> {
  const sums = new Map<K, number>();
  for (const p of items) sums.set(key(p), (sums.get(key(p)) ?? 0) + value(p));
  return sums;
}

export function dayFigures(purchases: PurchaseRecord[], date: string) {
  const products = catalog();
  const day = purchases.filter((p) => p.transaction_time.startsWith(date));
  const hourOf = (p: PurchaseRecord) => p.transaction_time.slice(0, 13);
  const categoryOf = (p: PurchaseRecord) => products.get(p.product_id)!.category;
  const hours = [...new Set(day.map(hourOf))].sort();
  const categories = [...new Set(day.map(categoryOf))].sort();
  const byHour = sumBy(day, hourOf, (p) => cents(p.total_purchase));
  let running = 0;
  const drinks = sumBy(day, categoryOf, (p) => p.quantity);
  const fruit = sumBy(day, (p) => products.get(p.product_id)!.fruit, (p) => p.quantity);
  return {
    kpis: kpis(day, catalogCogs(CATALOG)),
    hours,
    hourly: categories.map((name) => ({
      name,
      data: hours.map((h) => day.filter((p) => hourOf(p) === h && categoryOf(p) === name).reduce((s, p) => s + cents(p.total_purchase), 0) / 100),
    })),
    cumulative: hours.map((h) => (running += byHour.get(h)!) / 100),
    categories: categories.map((name) => ({ name, value: drinks.get(name)! })),
    fruit: [true, false].filter((f) => fruit.has(f)).map((f) => ({ name: f ? 'Fruit' : 'No fruit', value: fruit.get(f)! })),
    top: top(day, 10),
  };
}

const whole = new Intl.NumberFormat('en-US');
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** The tiles as the original dashboard wrote them: 290, 352, $2,095, $1,223. */
export function tileTexts(k: ReturnType<typeof kpis>): string[] {
  return [whole.format(k.purchases), whole.format(k.drinks), `$${whole.format(Math.round(k.sales))}`, `$${whole.format(Math.round(k.gross_profit))}`];
}

/** The live table: product, drinks, exact sales per row; the totals. */
export function tableTexts(figures: ReturnType<typeof dayFigures>) {
  return {
    rows: figures.top.map((r) => [r.product_id, whole.format(r.quantity), usd.format(r.sales)]),
    totals: [whole.format(figures.kpis.drinks), usd.format(figures.kpis.sales)],
  };
}

export function readPurchases(path: string): PurchaseRecord[] {
  return JSON.parse(readFileSync(path, 'utf8'));
}
