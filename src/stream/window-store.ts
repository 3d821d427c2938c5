import type { Purchase } from '../model/purchase.js';
import { addSale, emptySales, topN, type SalesTotals } from './sales.js';
import type { SlidingWindows } from './windows.js';

/** Spark's output modes (DESIGN §4): what each trigger emits. */
export type OutputMode = 'complete' | 'update' | 'append';
export const OUTPUT_MODES: readonly OutputMode[] = ['complete', 'update', 'append'];

/** One result row: a product's sales in one window, ranked within it. Times in µs. */
export interface WindowRow {
  windowStart: number;
  windowEnd: number;
  productId: string;
  salesCents: number;
  drinks: number;
  transactions: number;
  /** 1…N; null in a sink upsert means the product left the window's top N. */
  rank: number | null;
}

interface OpenWindow {
  start: number;
  end: number;
  products: Map<string, SalesTotals>;
  /** The top-N rows last emitted, product → signature, to find what changed. */
  emitted: Map<string, string>;
  touched: boolean;
}

/** What a trigger hands out: rows for the console and upserts for the sink. */
export interface WindowEmission {
  rows: WindowRow[];
  upserts: WindowRow[];
}

const signature = (r: WindowRow) => `${r.salesCents}|${r.drinks}|${r.transactions}|${r.rank}`;

/** Newest window first, then rank; rank-null upserts last. */
export function compareRows(a: WindowRow, b: WindowRow): number {
  return b.windowStart - a.windowStart || (a.rank ?? Infinity) - (b.rank ?? Infinity) || (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0);
}

/**
 * The windowed aggregation state: open windows hold per-product sums; a window closes when the
 * watermark reaches its end. Memory is open windows × products, plus in complete mode the final
 * top N of each closed window (complete mode keeps every window, by definition).
 */
export class WindowStore {
  private readonly open = new Map<number, OpenWindow>();
  /** Complete mode: closed windows' final rows, by window start. */
  private readonly closed = new Map<number, WindowRow[]>();
  private pendingRows: WindowRow[] = [];
  private pendingUpserts: WindowRow[] = [];
  private minOpenEnd = Infinity;

  constructor(readonly windows: SlidingWindows, readonly top: number, readonly mode: OutputMode) {}

  get openWindows(): number {
    return this.open.size;
  }

  /**
   * Adds a purchase to each of its windows whose end is after `watermark` (the watermark as it
   * stood before this record, DESIGN §4); returns how many it joined: 0 means late.
   */
  add(purchase: Purchase, watermark: number): number {
    let joined = 0;
    const last = this.windows.lastStartFor(purchase.eventTime);
    for (let start = last - this.windows.size + this.windows.slide; start <= last; start += this.windows.slide) {
      const end = start + this.windows.size;
      if (end <= watermark) continue;
      let w = this.open.get(start);
      if (!w) {
        w = { start, end, products: new Map(), emitted: new Map(), touched: false };
        this.open.set(start, w);
        if (end < this.minOpenEnd) this.minOpenEnd = end;
      }
      let totals = w.products.get(purchase.productId);
      if (!totals) w.products.set(purchase.productId, (totals = emptySales()));
      addSale(totals, purchase);
      w.touched = true;
      joined++;
    }
    return joined;
  }

  /** Closes every window whose end ≤ watermark: its result is final. */
  closeThrough(watermark: number): void {
    if (watermark < this.minOpenEnd) return;
    let min = Infinity;
    for (const w of this.open.values()) {
      if (w.end <= watermark) this.close(w);
      else if (w.end < min) min = w.end;
    }
    this.minOpenEnd = min;
  }

  /** End of a bounded input: every window is final. */
  closeAll(): void {
    for (const w of this.open.values()) this.close(w);
    this.minOpenEnd = Infinity;
  }

  /** What the trigger emits in this store's mode; resets "changed since the last trigger". */
  emit(): WindowEmission {
    const upserts = this.pendingUpserts;
    let rows = this.pendingRows;
    this.pendingRows = [];
    this.pendingUpserts = [];
    if (this.mode !== 'append') {
      for (const w of this.open.values()) {
        if (!w.touched) continue;
        const { changed, dropped } = this.diff(w);
        upserts.push(...changed, ...dropped);
        if (this.mode === 'update') rows.push(...changed);
      }
    }
    if (this.mode === 'complete') {
      rows = [];
      for (const w of this.open.values()) rows.push(...this.rowsOf(w));
      for (const final of this.closed.values()) rows.push(...final);
    }
    rows.sort(compareRows);
    upserts.sort(compareRows);
    return { rows, upserts };
  }

  private close(w: OpenWindow): void {
    this.open.delete(w.start);
    if (this.mode === 'append') {
      const final = this.rowsOf(w);
      this.pendingRows.push(...final);
      this.pendingUpserts.push(...final);
      return;
    }
    if (w.touched) {
      const { changed, dropped } = this.diff(w);
      this.pendingUpserts.push(...changed, ...dropped);
      if (this.mode === 'update') this.pendingRows.push(...changed);
    }
    if (this.mode === 'complete') this.closed.set(w.start, this.rowsOf(w));
  }

  private rowsOf(w: OpenWindow): WindowRow[] {
    return topN(w.products, this.top).map(({ productId, totals, rank }) => ({
      windowStart: w.start, windowEnd: w.end, productId, salesCents: totals.salesCents, drinks: totals.drinks, transactions: totals.transactions, rank,
    }));
  }

  /** Rows of a window's top N that differ from what was last emitted, and products that left it. */
  private diff(w: OpenWindow): { changed: WindowRow[]; dropped: WindowRow[] } {
    const rows = this.rowsOf(w);
    const changed = rows.filter((r) => w.emitted.get(r.productId) !== signature(r));
    const now = new Set(rows.map((r) => r.productId));
    const dropped: WindowRow[] = [];
    for (const productId of w.emitted.keys()) {
      if (now.has(productId)) continue;
      const t = w.products.get(productId)!;
      dropped.push({ windowStart: w.start, windowEnd: w.end, productId, salesCents: t.salesCents, drinks: t.drinks, transactions: t.transactions, rank: null });
    }
    w.emitted = new Map(rows.map((r) => [r.productId, signature(r)]));
    w.touched = false;
    return { changed, dropped };
  }
}

/** A row as the console and the sink show it (DESIGN §4): ISO-8601 UTC bounds, money with 2 decimals. */
export interface WindowRowJson {
  window_start: string;
  window_end: string;
  product_id: string;
  sales: number;
  drinks: number;
  transactions: number;
  rank: number | null;
}

export function windowRowJson(r: WindowRow, iso: (micros: number) => string): WindowRowJson {
  return { window_start: iso(r.windowStart), window_end: iso(r.windowEnd), product_id: r.productId, sales: r.salesCents / 100, drinks: r.drinks, transactions: r.transactions, rank: r.rank };
}
