// Message shapes of DESIGN §2. Field order in these interfaces is the wire order: objects are
// built in this order so JSON.stringify writes exactly the original generator's layout.

export interface ProductMessage {
  event_time: string;
  product_id: string;
  category: string;
  item: string;
  size: string;
  cogs: number;
  price: number;
  inventory_level: number;
  contains_fruit: boolean;
  contains_veggies: boolean;
  contains_nuts: boolean;
  contains_caffeine: boolean;
  propensity_to_buy: number;
}

export interface PurchaseMessage {
  transaction_time: string;
  transaction_id: string;
  product_id: string;
  price: number;
  quantity: number;
  is_member: boolean;
  member_discount: number;
  add_supplements: boolean;
  supplement_price: number;
  total_purchase: number;
}

/** The purchase fields the original generator wrote as Python floats. */
const PURCHASE_FLOATS = new Set(['price', 'member_discount', 'supplement_price', 'total_purchase']);

/**
 * A float as Python's json writes it, which the original generator used: a whole number keeps
 * its `.0` (`0.0`, not JSON.stringify's `0`); otherwise both write the shortest round-trip digits.
 */
export function floatText(x: number): string {
  const text = JSON.stringify(x);
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? `${text}.0` : text;
}

/**
 * A purchase's wire text: JSON.stringify's layout (members in order, undefined ones left out) with
 * the float members spelled as the original generator spelled them.
 */
export function purchaseText(message: Partial<PurchaseMessage>): string {
  const members: string[] = [];
  for (const [name, value] of Object.entries(message)) {
    if (value === undefined) continue;
    members.push(`${JSON.stringify(name)}:${PURCHASE_FLOATS.has(name) ? floatText(value as number) : JSON.stringify(value)}`);
  }
  return `{${members.join(',')}}`;
}

export interface InventoryMessage {
  event_time: string;
  product_id: string;
  existing_level: number;
  stock_quantity: number;
  new_level: number;
}

export interface RunningTotalMessage {
  event_time: string;
  product_id: string;
  transactions: number;
  quantities: number;
  sales: number;
}

/**
 * Money on the wire is a float with 2 decimals; inside, it is integer cents so sums are exact.
 * A half cent rounds away from zero (−0.125 → −13), as Spark's and DuckDB's casts to DECIMAL do;
 * batch's SQL computes the same (src/batch/schema.ts).
 */
export function toCents(amount: number): number {
  const cents = Math.round(Math.abs(amount) * 100);
  return amount < 0 ? 0 - cents : cents; // 0 - 0 is +0: no −0 cents
}

export function fromCents(cents: number): number {
  return cents / 100;
}
