// An independent reading of issue 9 (the event-time temporal join), written for the tests from
// the text alone (it imports nothing from src/): what `stream enrich` must write for an input
// whose catalog is all there before the purchases are processed.
import { micros, rng, wireTime } from './reference.js';

interface Version {
  t: number;
  value: Record<string, any>;
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const parse = (line: string): unknown => {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
};

/** A catalog record the join must use, or undefined. */
function version(line: string): Version | undefined {
  const v = parse(line);
  if (!isObject(v) || typeof v.event_time !== 'string') return undefined;
  const t = micros(v.event_time);
  if (t === undefined || typeof v.product_id !== 'string' || v.product_id === '') return undefined;
  if (!['category', 'item', 'size'].every((f) => typeof v[f] === 'string')) return undefined;
  if (!['cogs', 'price'].every((f) => typeof v[f] === 'number')) return undefined;
  if (!['contains_fruit', 'contains_veggies', 'contains_nuts', 'contains_caffeine'].every((f) => typeof v[f] === 'boolean')) return undefined;
  return { t, value: v };
}

/** A purchase the join must accept, or undefined for a malformed one. */
export function joinable(line: string): Record<string, any> | undefined {
  const v = parse(line);
  if (!isObject(v) || typeof v.transaction_time !== 'string' || micros(v.transaction_time) === undefined) return undefined;
  if (typeof v.product_id !== 'string' || v.product_id === '' || !Number.isInteger(v.quantity)) return undefined;
  if (!['price', 'total_purchase', 'member_discount', 'supplement_price'].every((f) => typeof v[f] === 'number')) return undefined;
  if (!['is_member', 'add_supplements'].every((f) => typeof v[f] === 'boolean')) return undefined;
  if (v.transaction_id !== undefined && v.transaction_id !== null && typeof v.transaction_id !== 'string') return undefined;
  return v;
}

/**
 * Each valid purchase with the latest version of its product whose event_time ≤ its
 * transaction_time (a later catalog record for the same product and time replaces the earlier);
 * none → unmatched. Results are in no particular order.
 */
export function enrichResult(catalogLines: string[], purchaseLines: string[]) {
  const versions = new Map<string, Version[]>();
  let catalogMalformed = 0;
  for (const line of catalogLines) {
    const v = version(line);
    if (!v) {
      catalogMalformed++;
      continue;
    }
    const list = versions.get(v.value.product_id) ?? [];
    versions.set(v.value.product_id, [...list.filter((o) => o.t !== v.t), v]);
  }
  const enriched: Record<string, unknown>[] = [];
  const unmatched: string[] = [];
  let malformed = 0;
  for (const line of purchaseLines) {
    const p = joinable(line);
    if (!p) {
      malformed++;
      continue;
    }
    const t = micros(p.transaction_time)!;
    const candidates = (versions.get(p.product_id) ?? []).filter((v) => v.t <= t);
    if (candidates.length === 0) {
      unmatched.push(line);
      continue;
    }
    const v = candidates.reduce((a, b) => (b.t > a.t ? b : a)).value;
    enriched.push({
      transaction_time: p.transaction_time,
      transaction_timestamp: Math.floor(t / 1000),
      transaction_id: p.transaction_id ?? null,
      product_id: p.product_id,
      product_category: v.category,
      product_name: v.item,
      product_size: v.size,
      product_cogs: v.cogs,
      product_price: v.price,
      contains_fruit: v.contains_fruit,
      contains_veggies: v.contains_veggies,
      contains_nuts: v.contains_nuts,
      contains_caffeine: v.contains_caffeine,
      purchase_price: p.price,
      purchase_quantity: p.quantity,
      is_member: p.is_member,
      member_discount: p.member_discount,
      add_supplements: p.add_supplements,
      supplement_price: p.supplement_price,
      total_purchase: p.total_purchase,
    });
  }
  return { enriched, unmatched, malformed, catalogMalformed };
}

/** Records as comparable text, sorted: equal lists mean equal multisets. */
export const canonical = (values: unknown[]) => values.map((v) => JSON.stringify(v)).sort();

const BAD_PURCHASES = [
  'not json',
  '{"transaction_time":"2026-01-01 08:00:00","product_id":"P1"}',
  '{"transaction_time":"soon","product_id":"P1","price":4.99,"quantity":1,"is_member":false,"member_discount":0,"add_supplements":false,"supplement_price":0,"total_purchase":4.99}',
  '{"transaction_time":"2026-01-01 08:00:00","product_id":"P1","price":4.99,"quantity":1,"is_member":"no","member_discount":0,"add_supplements":false,"supplement_price":0,"total_purchase":4.99}',
];
const BAD_VERSIONS = ['{"event_time":"2026-01-01 08:00:00","product_id":"P1"}', 'garbage'];

/**
 * A randomized input: products whose versions change over the stream (P6 never has one),
 * catalog records out of order with identical copies of some (a re-published catalog) and bad
 * ones; purchases out of order, some before their product's first version, some malformed,
 * with and without transaction ids.
 */
export function enrichInput(seed: number, purchases: number, start: number) {
  const r = rng(seed);
  const HOUR = 3_600_000_000;
  const catalog: string[] = [];
  const products = ['P1', 'P2', 'P3', 'P4', 'P5'];
  for (const [i, id] of products.entries()) {
    let t = start + r.int(-HOUR / 2, HOUR / 2);
    for (let n = r.int(1, 4); n > 0; n--) {
      catalog.push(JSON.stringify({
        event_time: wireTime(t), product_id: id, category: r.pick(['Classic Smoothies', 'Supercharged "Smoothies"']), item: `Item ${i}`, size: '24 oz.',
        cogs: r.int(100, 300) / 100, price: r.int(300, 900) / 100, inventory_level: r.int(10, 90),
        contains_fruit: r.next() < 0.5, contains_veggies: r.next() < 0.5, contains_nuts: r.next() < 0.5, contains_caffeine: r.next() < 0.5, propensity_to_buy: i,
      }));
      t += r.int(1, 60) * 60_000_000;
    }
  }
  // a re-published catalog: identical copies of some versions, anywhere in the order
  for (const line of catalog.slice()) if (r.next() < 0.5) catalog.push(line);
  catalog.push(...BAD_VERSIONS);
  shuffle(catalog, r);

  const lines: string[] = [];
  for (let i = 0; i < purchases; i++) {
    if (r.next() < 0.02) {
      lines.push(r.pick(BAD_PURCHASES));
      continue;
    }
    const quantity = r.int(1, 3);
    const member = r.next() < 0.3;
    const supplement = r.next() < 0.4;
    const price = r.int(300, 900) / 100;
    const purchase: Record<string, unknown> = {
      transaction_time: wireTime(start - HOUR + r.int(0, 5 * 3600) * 1_000_000 + r.int(0, 999_999)),
      transaction_id: String(1_000_000 + i),
      product_id: r.next() < 0.03 ? 'P6' : r.pick(products),
      price, quantity, is_member: member, member_discount: member ? 0.1 : 0, add_supplements: supplement, supplement_price: supplement ? 1.99 : 0,
      total_purchase: Math.round(quantity * (price + (supplement ? 1.99 : 0)) * (member ? 90 : 100)) / 100,
    };
    // the original generator wrote no transaction_id
    if (r.next() < 0.1) delete purchase.transaction_id;
    lines.push(JSON.stringify(purchase));
  }
  return { catalog, purchases: lines };
}

function shuffle<T>(xs: T[], r: ReturnType<typeof rng>): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
}
