// The independent computation the batch tests compare with: plain reduces over the purchase
// records, money in integer cents, no SQL.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface PurchaseRecord {
  transaction_time: string;
  transaction_id?: string;
  product_id: string;
  price: number;
  quantity: number;
  total_purchase: number;
}

const cents = (x: number) => Math.round(x * 100);

export function top(purchases: PurchaseRecord[], limit = 25): { product_id: string; sales: number; quantity: number }[] {
  const by = new Map<string, { sales: number; quantity: number }>();
  for (const p of purchases) {
    const row = by.get(p.product_id) ?? { sales: 0, quantity: 0 };
    row.sales += cents(p.total_purchase);
    row.quantity += p.quantity;
    by.set(p.product_id, row);
  }
  return [...by]
    .sort(([a, x], [b, y]) => y.sales - x.sales || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, limit)
    .map(([product_id, r]) => ({ product_id, sales: r.sales / 100, quantity: r.quantity }));
}

/** cogs per product_id from configuration/products.csv. */
export function catalogCogs(csvPath: string): Map<string, number> {
  const rows = readFileSync(csvPath, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  return new Map(rows.map((c) => [c[0], cents(Number(c[4]))]));
}

export function kpis(purchases: PurchaseRecord[], cogs: Map<string, number>) {
  const ids = purchases.filter((p) => typeof p.transaction_id === 'string').map((p) => p.transaction_id);
  const sales = purchases.reduce((s, p) => s + cents(p.total_purchase), 0);
  return {
    purchases: purchases.length,
    transactions: ids.length ? new Set(ids).size : null,
    drinks: purchases.reduce((s, p) => s + p.quantity, 0),
    sales: sales / 100,
    gross_profit: purchases.reduce((s, p) => s + p.quantity * (cents(p.price) - cogs.get(p.product_id)!), 0) / 100,
    avg_sale: Math.round(sales / purchases.length) / 100,
  };
}

/** The values of an embedded topic, read straight from its segment files (complete lines only). */
export function embeddedValues(dataDir: string, topic: string): unknown[] {
  const dir = join(dataDir, 'topics', topic);
  const values: unknown[] = [];
  for (const p of readdirSync(dir).filter((n) => /^\d+$/.test(n))) {
    for (const segment of readdirSync(join(dir, p)).filter((n) => n.endsWith('.ndjson')).sort()) {
      const text = readFileSync(join(dir, p, segment), 'utf8');
      for (const line of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) if (line) values.push(JSON.parse(line).value);
    }
  }
  return values;
}
