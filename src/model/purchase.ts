import { isoFromMicros, parseTimestamp, YEARS } from './timestamp.js';
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

/**
 * The valid ranges of a purchase's numbers, defined once: stream (below) and batch (whose SQL,
 * src/batch/schema.ts, is built from these) call a record outside them malformed. They are far
 * beyond any real café sale and keep every sum exact: running totals are integers (cents) that
 * must stay safe as JS numbers, or a committed state could not be read back.
 */
export const LIMITS = {
  /** |quantity| at most this, a whole number. */
  quantity: 1_000_000,
  /** |price| and |total_purchase| at most this, in currency units. */
  money: 1_000_000,
} as const;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const fail = (reason: string): Parsed<never> => ({ ok: false, reason });

/**
 * Validates a purchase message. The original generator wrote no transaction_id, so it is
 * optional; everything the processors sum or group by is required and type-checked.
 * `notAfter` (µs) is a stream job's policy (--max-future): a purchase whose event time is later is
 * malformed, so one record dated 2099 cannot drag the watermark past everything else.
 */
export function parsePurchase(text: string, alreadyParsed?: object, notAfter?: number): Parsed<Purchase> {
  let raw: unknown = alreadyParsed;
  if (raw === undefined) {
    try {
      raw = JSON.parse(text);
    } catch {
      return fail('not JSON');
    }
  }
  // a lone surrogate can only arrive as a \uD8xx-\uDFxx escape: the cheap test spares the walk
  if (ESCAPED_SURROGATE.test(text) && !wellFormed(raw)) return fail(NOT_UNICODE);
  const parsed = purchaseFromObject(raw);
  if (parsed.ok && notAfter !== undefined && parsed.value.eventTime > notAfter) {
    return fail(`transaction_time ${parsed.value.transactionTime} is after ${isoFromMicros(notAfter)}: too far ahead of processing time (--max-future)`);
  }
  return parsed;
}

const ESCAPED_SURROGATE = /\\u[dD][89a-fA-F]/;
/** With the u flag a pair is one code point: this matches lone surrogates only. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const NOT_UNICODE = 'not valid Unicode text (a lone surrogate)';

/**
 * True when no string (key or value) of a parsed JSON value holds a lone surrogate: text that is
 * not Unicode, which DuckDB's and Spark's JSON readers refuse, so stream refuses it too.
 * Iterative: the value may be nested deeper than the call stack allows.
 */
export function wellFormed(value: unknown): boolean {
  const todo = [value];
  while (todo.length) {
    const v = todo.pop();
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) return false;
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, inner] of Object.entries(v)) {
        if (LONE_SURROGATE.test(k)) return false;
        todo.push(inner);
      }
    }
  }
  return true;
}

/** A money amount within LIMITS (its two-decimal text stays a plain JSON number). */
export const isMoney = (v: unknown): v is number => typeof v === 'number' && Math.abs(v) <= LIMITS.money;

function purchaseFromObject(raw: unknown): Parsed<Purchase> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('not a JSON object');
  const r = raw as Record<string, unknown>;
  const time = r.transaction_time;
  if (typeof time !== 'string') return fail('transaction_time missing or not a string');
  const eventTime = parseTimestamp(time);
  if (eventTime === undefined) return fail(`transaction_time ${JSON.stringify(time)} is not a timestamp of ${YEARS.first}–${YEARS.last}`);
  if (typeof r.product_id !== 'string' || r.product_id === '') return fail('product_id missing or not a string');
  if (!isMoney(r.price)) return fail(`price missing or not a number within ±${LIMITS.money}`);
  if (typeof r.quantity !== 'number' || !Number.isInteger(r.quantity) || Math.abs(r.quantity) > LIMITS.quantity) {
    return fail(`quantity missing or not a whole number within ±${LIMITS.quantity}`);
  }
  if (!isMoney(r.total_purchase)) return fail(`total_purchase missing or not a number within ±${LIMITS.money}`);
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
