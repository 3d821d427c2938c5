import type { Purchase } from '../model/purchase.js';

/** What a window sums per product: money in integer cents, so sums are exact (DESIGN §4). */
export interface SalesTotals {
  salesCents: number;
  /** Sum of quantity. */
  drinks: number;
  /** Purchase records. */
  transactions: number;
}

export function emptySales(): SalesTotals {
  return { salesCents: 0, drinks: 0, transactions: 0 };
}

/** Adds in place: aggregates are the hot path, and only their owner holds them. */
export function addSale(totals: SalesTotals, purchase: Purchase): void {
  totals.salesCents += purchase.totalCents;
  totals.drinks += purchase.quantity;
  totals.transactions += 1;
}

export interface Ranked<T> {
  productId: string;
  totals: T;
  rank: number;
}

/** The top n by sales descending, then product_id ascending; ranks 1…n with no ties. */
export function topN<T extends { salesCents: number }>(products: Map<string, T>, n: number): Ranked<T>[] {
  const all = [...products].map(([productId, totals]) => ({ productId, totals, rank: 0 }));
  all.sort((a, b) => b.totals.salesCents - a.totals.salesCents || (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
  const top = all.slice(0, n);
  top.forEach((r, i) => (r.rank = i + 1));
  return top;
}
