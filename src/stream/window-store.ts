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

interface StoredWindow {
  start: number;
  end: number;
  products: Map<string, SalesTotals>;
  /** The top-N rows last emitted, product → signature, to find what changed. */
  emitted: Map<string, string>;
  touched: boolean;
  /** Its end ≤ the watermark: final. Only complete mode keeps closed windows. */
  closed: boolean;
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

/** State-store key of a window (one entry per window, so a commit writes only the windows it changed). */
const KEY_PREFIX = 'w:';

/**
 * The windowed aggregation state: windows hold per-product sums; a window closes when the
 * watermark reaches its end. Memory is open windows × products; complete mode keeps every
 * window, closed ones included (by definition). Changes since the last `changes()` are tracked
 * per window, so a checkpoint writes only what moved.
 */
export class WindowStore {
  private readonly windows = new Map<number, StoredWindow>();
  private pendingRows: WindowRow[] = [];
  private pendingUpserts: WindowRow[] = [];
  private minOpenEnd = Infinity;
  private open = 0;
  private readonly changed = new Set<number>();

  constructor(readonly spec: SlidingWindows, readonly top: number, readonly mode: OutputMode) {}

  get openWindows(): number {
    return this.open;
  }

  /**
   * Adds a purchase to each of its windows whose end is after `watermark` (the watermark as it
   * stood before this record, DESIGN §4); returns how many it joined: 0 means late. Complete
   * mode keeps every window, so it adds a late record to its windows too (as Spark does).
   */
  add(purchase: Purchase, watermark: number): number {
    let joined = 0;
    const { size, slide } = this.spec;
    const last = this.spec.lastStartFor(purchase.eventTime);
    for (let start = last - size + slide; start <= last; start += slide) {
      const end = start + size;
      if (end > watermark) joined++;
      else if (this.mode !== 'complete') continue;
      let w = this.windows.get(start);
      if (!w) {
        w = { start, end, products: new Map(), emitted: new Map(), touched: false, closed: false };
        this.windows.set(start, w);
        this.open++;
        if (end < this.minOpenEnd) this.minOpenEnd = end;
      }
      let totals = w.products.get(purchase.productId);
      if (!totals) w.products.set(purchase.productId, (totals = emptySales()));
      addSale(totals, purchase);
      w.touched = true;
      this.changed.add(start);
    }
    return joined;
  }

  /** Closes every window whose end ≤ watermark: its result is final. */
  closeThrough(watermark: number): void {
    if (watermark < this.minOpenEnd) return;
    let min = Infinity;
    for (const w of this.windows.values()) {
      if (w.closed) continue;
      if (w.end <= watermark) this.close(w);
      else if (w.end < min) min = w.end;
    }
    this.minOpenEnd = min;
  }

  /** End of a bounded input: every window is final. */
  closeAll(): void {
    for (const w of this.windows.values()) if (!w.closed) this.close(w);
    this.minOpenEnd = Infinity;
  }

  /** What the trigger emits in this store's mode; resets "changed since the last trigger". */
  emit(): WindowEmission {
    const upserts = this.pendingUpserts;
    let rows = this.pendingRows;
    this.pendingRows = [];
    this.pendingUpserts = [];
    if (this.mode !== 'append') {
      for (const w of this.windows.values()) {
        if (!w.touched) continue;
        const { changed, dropped } = this.diff(w);
        upserts.push(...changed, ...dropped);
        if (this.mode === 'update') rows.push(...changed);
      }
    }
    if (this.mode === 'complete') {
      rows = [];
      for (const w of this.windows.values()) rows.push(...this.rowsOf(w));
    }
    rows.sort(compareRows);
    upserts.sort(compareRows);
    return { rows, upserts };
  }

  /**
   * The windows changed since the last call, as state-store entries (key → value text; an empty
   * value: the window is gone). Call right after `emit()`: nothing is pending then.
   */
  changes(): [key: string, value: string][] {
    const entries: [string, string][] = [];
    for (const start of this.changed) {
      const w = this.windows.get(start);
      entries.push([KEY_PREFIX + start, w ? encodeWindow(w) : '']);
    }
    this.changed.clear();
    return entries;
  }

  /** Back to committed state-store entries (from `changes()`); other keys are not this store's. */
  restore(entries: Iterable<[string, string]>): void {
    this.windows.clear();
    this.changed.clear();
    this.pendingRows = [];
    this.pendingUpserts = [];
    this.open = 0;
    this.minOpenEnd = Infinity;
    for (const [key, value] of entries) {
      if (!key.startsWith(KEY_PREFIX) || value === '') continue;
      const w = decodeWindow(value);
      this.windows.set(w.start, w);
      if (w.closed) continue;
      this.open++;
      if (w.end < this.minOpenEnd) this.minOpenEnd = w.end;
    }
  }

  /** Every kept window's rows go out again at the next emit (a new sink, filled from the checkpoint). */
  resendAll(): void {
    for (const w of this.windows.values()) {
      w.emitted.clear();
      w.touched = true;
      this.changed.add(w.start);
    }
  }

  private close(w: StoredWindow): void {
    w.closed = true;
    this.open--;
    this.changed.add(w.start);
    if (this.mode === 'complete') return; // kept, and diffed at the next emit like any window
    this.windows.delete(w.start);
    if (this.mode === 'append') {
      const final = this.rowsOf(w);
      this.pendingRows.push(...final);
      this.pendingUpserts.push(...final);
      return;
    }
    if (w.touched) {
      const { changed, dropped } = this.diff(w);
      this.pendingUpserts.push(...changed, ...dropped);
      this.pendingRows.push(...changed);
    }
  }

  private rowsOf(w: StoredWindow): WindowRow[] {
    return topN(w.products, this.top).map(({ productId, totals, rank }) => ({
      windowStart: w.start, windowEnd: w.end, productId, salesCents: totals.salesCents, drinks: totals.drinks, transactions: totals.transactions, rank,
    }));
  }

  /** Rows of a window's top N that differ from what was last emitted, and products that left it. */
  private diff(w: StoredWindow): { changed: WindowRow[]; dropped: WindowRow[] } {
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
    this.changed.add(w.start);
    return { changed, dropped };
  }
}

/** A window as a state-store value: exact integers only. */
function encodeWindow(w: StoredWindow): string {
  return JSON.stringify({
    start: w.start, end: w.end, closed: w.closed, touched: w.touched,
    products: [...w.products].map(([id, t]) => [id, t.salesCents, t.drinks, t.transactions]),
    emitted: [...w.emitted],
  });
}

function decodeWindow(text: string): StoredWindow {
  const v = JSON.parse(text) as { start: number; end: number; closed: boolean; touched: boolean; products: [string, number, number, number][]; emitted: [string, string][] };
  return {
    start: v.start, end: v.end, closed: v.closed, touched: v.touched,
    products: new Map(v.products.map(([id, salesCents, drinks, transactions]) => [id, { salesCents, drinks, transactions }])),
    emitted: new Map(v.emitted),
  };
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
