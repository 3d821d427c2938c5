// The records of the temporal join (DESIGN §2): product versions from the catalog, purchases
// with every field the enriched record carries, and the enriched record's text.
import { isMoney, LIMITS, parsePurchase, type Parsed, type Purchase } from '../model/purchase.js';
import { toCents } from '../model/messages.js';
import { parseTimestamp } from '../model/timestamp.js';

/** One version of a product: valid from its event time until the next version's. */
export interface ProductVersion {
  productId: string;
  /** µs since the epoch. */
  eventTime: number;
  category: string;
  item: string;
  size: string;
  cogs: number;
  price: number;
  containsFruit: boolean;
  containsVeggies: boolean;
  containsNuts: boolean;
  containsCaffeine: boolean;
}

/** A purchase with the fields the enriched record copies. */
export interface JoinPurchase extends Purchase {
  price: number;
  isMember: boolean;
  memberDiscount: number;
  addSupplements: boolean;
  supplementPrice: number;
  totalPurchase: number;
}

const fail = (reason: string): Parsed<never> => ({ ok: false, reason });

function asObject(text: string, parsed?: object): Record<string, unknown> | undefined {
  let raw: unknown = parsed;
  if (raw === undefined) {
    try {
      raw = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw as Record<string, unknown> : undefined;
}

/**
 * A catalog record (DESIGN §2 demo.products) as a product version. Only what the join uses is
 * required; inventory_level and propensity_to_buy may be absent.
 */
export function parseProductVersion(text: string, parsed?: object): Parsed<ProductVersion> {
  const r = asObject(text, parsed);
  if (!r) return fail('not a JSON object');
  if (typeof r.event_time !== 'string') return fail('event_time missing or not a string');
  const eventTime = parseTimestamp(r.event_time);
  if (eventTime === undefined) return fail(`event_time ${JSON.stringify(r.event_time)} is not a timestamp`);
  for (const f of ['product_id', 'category', 'item', 'size']) if (typeof r[f] !== 'string' || (f === 'product_id' && r[f] === '')) return fail(`${f} missing or not a string`);
  for (const f of ['cogs', 'price']) if (!isMoney(r[f])) return fail(`${f} missing or not a number within ±${LIMITS.money}`);
  for (const f of ['contains_fruit', 'contains_veggies', 'contains_nuts', 'contains_caffeine']) if (typeof r[f] !== 'boolean') return fail(`${f} missing or not a boolean`);
  return {
    ok: true,
    value: {
      productId: r.product_id as string,
      eventTime,
      category: r.category as string,
      item: r.item as string,
      size: r.size as string,
      cogs: r.cogs as number,
      price: r.price as number,
      containsFruit: r.contains_fruit as boolean,
      containsVeggies: r.contains_veggies as boolean,
      containsNuts: r.contains_nuts as boolean,
      containsCaffeine: r.contains_caffeine as boolean,
    },
  };
}

/** A purchase message with the fields beyond what the aggregations need checked too. */
export function parseJoinPurchase(text: string, parsed?: object): Parsed<JoinPurchase> {
  const r = asObject(text, parsed);
  if (!r) return fail('not a JSON object');
  const base = parsePurchase(text, r);
  if (!base.ok) return base;
  for (const f of ['is_member', 'add_supplements']) if (typeof r[f] !== 'boolean') return fail(`${f} missing or not a boolean`);
  for (const f of ['member_discount', 'supplement_price']) if (!isMoney(r[f])) return fail(`${f} missing or not a number within ±${LIMITS.money}`);
  const b = base.value;
  // built field by field: an object spread here costs more than all the checks together
  return {
    ok: true,
    value: {
      eventTime: b.eventTime,
      transactionTime: b.transactionTime,
      transactionId: b.transactionId,
      productId: b.productId,
      priceCents: b.priceCents,
      quantity: b.quantity,
      totalCents: b.totalCents,
      price: r.price as number,
      isMember: r.is_member as boolean,
      memberDiscount: r.member_discount as number,
      addSupplements: r.add_supplements as boolean,
      supplementPrice: r.supplement_price as number,
      totalPurchase: r.total_purchase as number,
    },
  };
}

/** What makes two versions the same for the join (the fields the enriched record takes). */
export function versionContent(v: ProductVersion): string {
  return JSON.stringify([v.category, v.item, v.size, v.cogs, v.price, v.containsFruit, v.containsVeggies, v.containsNuts, v.containsCaffeine]);
}

/**
 * Money as the original join wrote it: a JSON number with exactly two decimals (1.50, 0.10),
 * rounded to cents as everywhere else (toCents: a half cent away from zero).
 */
export function moneyText(amount: number): string {
  const cents = toCents(amount);
  const abs = Math.abs(cents);
  return (cents < 0 ? '-' : '') + Math.floor(abs / 100) + '.' + TWO_DIGITS[abs % 100];
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/**
 * The enriched record (demo.purchases.enriched, the original Flink job's fields in its order).
 * transaction_timestamp is the purchase time read as UTC, in epoch ms. transaction_time needs no
 * escaping: parseTimestamp let only digits and -: T.Z+ through.
 */
export function enrichedText(p: JoinPurchase, v: ProductVersion): string {
  return `{"transaction_time":"${p.transactionTime}","transaction_timestamp":${Math.floor(p.eventTime / 1000)}` +
    `,"transaction_id":${JSON.stringify(p.transactionId)},"product_id":${JSON.stringify(p.productId)}${productText(v)}` +
    `,"purchase_price":${moneyText(p.price)},"purchase_quantity":${p.quantity},"is_member":${p.isMember}` +
    `,"member_discount":${moneyText(p.memberDiscount)},"add_supplements":${p.addSupplements}` +
    `,"supplement_price":${moneyText(p.supplementPrice)},"total_purchase":${moneyText(p.totalPurchase)}}`;
}

const productTexts = new WeakMap<ProductVersion, string>();

/** The product's part of an enriched record, made once per version. */
function productText(v: ProductVersion): string {
  let text = productTexts.get(v);
  if (text === undefined) {
    text = ',"product_category":' + JSON.stringify(v.category) +
      ',"product_name":' + JSON.stringify(v.item) +
      ',"product_size":' + JSON.stringify(v.size) +
      ',"product_cogs":' + moneyText(v.cogs) +
      ',"product_price":' + moneyText(v.price) +
      ',"contains_fruit":' + v.containsFruit +
      ',"contains_veggies":' + v.containsVeggies +
      ',"contains_nuts":' + v.containsNuts +
      ',"contains_caffeine":' + v.containsCaffeine;
    productTexts.set(v, text);
  }
  return text;
}
