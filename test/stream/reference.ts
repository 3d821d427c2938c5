// An independent reading of DESIGN §4, written for the tests from the text alone (it imports
// nothing from src/): what `stream window` and `stream totals` must end with for an input.

export const MINUTE_US = 60_000_000;

/** A small seeded generator (mulberry32), so a failing input can be replayed from its seed. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

const WIRE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/;

/** µs since the epoch of a wire timestamp, or undefined. */
export function micros(text: string): number | undefined {
  const m = WIRE.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  if (y < 1900 || y > 2199 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(ms).getUTCDate() !== d) return undefined;
  return ms * 1000 + Number((m[7] ?? '').padEnd(6, '0').slice(0, 6));
}

export function wireTime(us: number): string {
  const iso = new Date(Math.floor(us / 1000)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0')}`;
}

export interface Sale {
  t: number;
  product: string;
  cents: number;
  quantity: number;
}

/** Cents of an amount, a half cent away from zero (DuckDB's and Spark's DECIMAL rounding). */
const cents = (x: number) => Math.sign(x) * Math.round(Math.abs(x) * 100) + 0;

/** Valid ranges (README): |quantity| ≤ 1,000,000, |money| ≤ 1,000,000, years 1900–2199, Unicode text. */
const within = (x: unknown, limit: number): x is number => typeof x === 'number' && Math.abs(x) <= limit;

/** A purchase the processors must accept, or undefined for one they must count as malformed. */
export function sale(line: string): Sale | undefined {
  let v: any;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const t = typeof v.transaction_time === 'string' ? micros(v.transaction_time) : undefined;
  if (t === undefined || typeof v.product_id !== 'string' || v.product_id === '' || !within(v.price, 1e6)
    || !Number.isInteger(v.quantity) || !within(v.quantity, 1e6) || !within(v.total_purchase, 1e6)) return undefined;
  // JSON.stringify writes a lone surrogate, and only that, as a \udXXX escape
  if (/(^|[^\\])(\\\\)*\\ud[89a-f]/i.test(JSON.stringify(v))) return undefined;
  return { t, product: v.product_id, cents: cents(v.total_purchase), quantity: v.quantity };
}

export interface WindowRowJson {
  window_start: string;
  window_end: string;
  product_id: string;
  sales: number;
  drinks: number;
  transactions: number;
  rank: number;
}

export interface WindowRules {
  /** Complete mode keeps every window, so a late record still counts in its windows (it is still late). */
  keepLate?: boolean;
  /**
   * `--watermark-advance trigger`: the watermark moves only at triggers, which come after the
   * records whose indexes (in `lines`) are given; absent: after every record.
   */
  triggersAfter?: number[];
}

/**
 * DESIGN §4 on one partition, record by record: a record adds to each of its windows whose end
 * is after the watermark as it stood before the record; none → late; then the watermark becomes
 * max(watermark, t − delay) (or, with triggers, the watermark of the largest event time so far
 * takes effect at the next trigger). The result: every window that got a record, top N by sales
 * then product_id, newest window first.
 */
export function windowResult(lines: string[], size: number, slide: number, delay: number, top: number, rules: WindowRules = {}) {
  let watermark = -Infinity;
  let pending = -Infinity;
  const triggers = rules.triggersAfter ? new Set(rules.triggersAfter) : undefined;
  let late = 0;
  let malformed = 0;
  const windows = new Map<number, Map<string, { cents: number; drinks: number; n: number }>>();
  lines.forEach((line, i) => {
    const s = sale(line);
    if (!s) {
      malformed++;
      if (triggers?.has(i)) watermark = pending;
      return;
    }
    let added = false;
    for (let start = Math.floor(s.t / slide) * slide; start > s.t - size; start -= slide) {
      const open = start + size > watermark;
      if (open) added = true;
      else if (!rules.keepLate) continue;
      const w = windows.get(start) ?? new Map();
      windows.set(start, w);
      const a = w.get(s.product) ?? { cents: 0, drinks: 0, n: 0 };
      w.set(s.product, { cents: a.cents + s.cents, drinks: a.drinks + s.quantity, n: a.n + 1 });
    }
    if (!added) late++;
    pending = Math.max(pending, s.t - delay);
    if (!triggers || triggers.has(i)) watermark = pending;
  });
  const rows: WindowRowJson[] = [];
  for (const start of [...windows.keys()].sort((a, b) => b - a)) {
    const ranked = [...windows.get(start)!].sort(([pa, a], [pb, b]) => b.cents - a.cents || (pa < pb ? -1 : 1)).slice(0, top);
    ranked.forEach(([product, a], i) => rows.push({
      window_start: new Date(start / 1000).toISOString(), window_end: new Date((start + size) / 1000).toISOString(),
      product_id: product, sales: a.cents / 100, drinks: a.drinks, transactions: a.n, rank: i + 1,
    }));
  }
  // the final trigger moves the watermark to where the records put it
  return { rows, late, malformed, events: lines.length, watermark: pending === -Infinity ? null : new Date(Math.floor(pending / 1000)).toISOString() };
}

/** Running totals per product in the demo.running.totals shape (DESIGN §2), over every valid purchase. */
export function totalsResult(lines: string[]) {
  const totals = new Map<string, { cents: number; quantities: number; transactions: number; latest: number }>();
  for (const line of lines) {
    const s = sale(line);
    if (!s) continue;
    const a = totals.get(s.product) ?? { cents: 0, quantities: 0, transactions: 0, latest: -Infinity };
    totals.set(s.product, { cents: a.cents + s.cents, quantities: a.quantities + s.quantity, transactions: a.transactions + 1, latest: Math.max(a.latest, s.t) });
  }
  return Object.fromEntries([...totals].sort(([a], [b]) => (a < b ? -1 : 1)).map(([product, a]) => [product, {
    event_time: wireTime(a.latest), product_id: product, transactions: a.transactions, quantities: a.quantities, sales: a.cents / 100,
  }]));
}

/** The latest value per key of a topic read with `tail --format json`. */
export function latestByKey(envelopes: { key: string | null; value: unknown }[]): Record<string, unknown> {
  const latest = new Map<string, unknown>();
  for (const e of envelopes) if (e.key !== null) latest.set(e.key, e.value);
  return Object.fromEntries([...latest].sort(([a], [b]) => (a < b ? -1 : 1)));
}

const PRODUCTS = ['CS01', 'CS02', 'SC01', 'SC02', 'SF01', 'SF02', 'IS01', 'IS02'];
const BAD = [
  'not json at all',
  '{"transaction_time":"2026-01-01 08:00:00.000000","product_id":"CS01"}',
  '{"transaction_time":"yesterday","product_id":"CS01","price":4.99,"quantity":1,"total_purchase":4.99}',
  '{"transaction_time":"2026-13-01 08:00:00","product_id":"CS01","price":4.99,"quantity":1,"total_purchase":4.99}',
  '{"transaction_time":"2026-01-01 08:00:00","product_id":"CS01","price":"4.99","quantity":1,"total_purchase":4.99}',
  '{"transaction_time":"2026-01-01 08:00:00","product_id":"CS01","price":4.99,"quantity":1.5,"total_purchase":4.99}',
  '[1,2,3]',
];

/**
 * Purchases one per line, mostly in event-time order, with out-of-order records inside the
 * delay, late records past it, records exactly on window boundaries and malformed records.
 */
export function messyPurchases(seed: number, count: number, { start, delay, slide }: { start: number; delay: number; slide: number }): string[] {
  const r = rng(seed);
  let clock = start;
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    clock += r.int(0, 20) * 1_000_000 + r.int(0, 999_999);
    const roll = r.next();
    let t = clock;
    if (roll < 0.03) {
      lines.push(r.pick(BAD));
      continue;
    } else if (roll < 0.13) t = clock - r.int(0, Math.max(0, delay - 1)); // out of order, inside the delay
    else if (roll < 0.17) t = clock - delay - r.int(1, 3 * slide); // late (or nearly)
    else if (roll < 0.24) t = Math.floor(clock / slide) * slide; // exactly on a window boundary
    else if (roll < 0.27) t = Math.floor(clock / slide) * slide - delay - r.pick([0, 1]); // at the watermark's edge
    const quantity = r.pick([1, 1, 1, 2, 3]);
    // equal amounts now and then, so ties are broken by product_id
    const cents = r.next() < 0.3 ? 499 * quantity : r.int(100, 2500);
    lines.push(JSON.stringify({
      transaction_time: wireTime(t), transaction_id: String(i), product_id: r.pick(PRODUCTS), price: cents / 100 / quantity,
      quantity, is_member: false, member_discount: 0, add_supplements: false, supplement_price: 0, total_purchase: cents / 100,
    }));
  }
  return lines;
}
