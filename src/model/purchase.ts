import { parseTimestamp } from './timestamp.js';
import { toCents } from './messages.js';

/** What the processors need of a purchase, validated and typed (money in cents, time in µs). */
export interface Purchase {
  eventTime: number;
  transactionTime: string;
  transactionId: string | null;
  productId: string;
  priceCents: number;
  quantity: number;
  totalCents: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const fail = (reason: string): Parsed<never> => ({ ok: false, reason });

/**
 * Validates a purchase message. The original generator wrote no transaction_id, so it is
 * optional; everything the processors sum or group by is required and type-checked.
 */
export function parsePurchase(text: string, alreadyParsed?: object): Parsed<Purchase> {
  if (alreadyParsed !== undefined) return purchaseFromObject(alreadyParsed);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail('not JSON');
  }
  return purchaseFromObject(raw);
}

export function purchaseFromObject(raw: unknown): Parsed<Purchase> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('not a JSON object');
  const r = raw as Record<string, unknown>;
  const time = r.transaction_time;
  if (typeof time !== 'string') return fail('transaction_time missing or not a string');
  const eventTime = parseTimestamp(time);
  if (eventTime === undefined) return fail(`transaction_time ${JSON.stringify(time)} is not a timestamp`);
  if (typeof r.product_id !== 'string' || r.product_id === '') return fail('product_id missing or not a string');
  if (typeof r.price !== 'number' || !Number.isFinite(r.price)) return fail('price missing or not a number');
  if (typeof r.quantity !== 'number' || !Number.isInteger(r.quantity)) return fail('quantity missing or not an integer');
  if (typeof r.total_purchase !== 'number' || !Number.isFinite(r.total_purchase)) return fail('total_purchase missing or not a number');
  const id = r.transaction_id;
  if (id !== undefined && id !== null && typeof id !== 'string') return fail('transaction_id is not a string');
  return {
    ok: true,
    value: {
      eventTime,
      transactionTime: time,
      transactionId: typeof id === 'string' ? id : null,
      productId: r.product_id,
      priceCents: toCents(r.price),
      quantity: r.quantity,
      totalCents: toCents(r.total_purchase),
    },
  };
}
