import type { InventoryMessage, ProductMessage, PurchaseMessage } from '../model/messages.js';
import { formatTimestamp } from '../model/timestamp.js';
import type { CatalogProduct } from './catalog.js';
import type { RandomSource } from './random.js';
import type { SalesRules } from './rules.js';

export type SimEvent =
  | { kind: 'product'; key: string; value: ProductMessage }
  | { kind: 'purchase'; key: string; value: PurchaseMessage }
  | { kind: 'inventory'; key: string; value: InventoryMessage };

/** One step of the simulation: the catalog at the start, then one transaction per step. */
export interface SimStep {
  /** Event time of the step, µs since the epoch. */
  time: number;
  events: SimEvent[];
}

export interface SimulationOptions {
  catalog: CatalogProduct[];
  rules: SalesRules;
  random: RandomSource;
  startTime: number;
  /** Transactions to make; 0 = unbounded. */
  count: number;
  /** Fixed gap between transactions in µs (from --rate); otherwise the rules' random gaps. */
  fixedGap?: number;
}

const SUPPLEMENT_GROUP1 = /^(SF|SC)/;
const SUPPLEMENT_GROUP2 = /^(CS|IS)/;

/**
 * The original producer.py, as a pure generator of steps, with its bugs fixed: stock falls by
 * the quantity sold (not by one), and transaction ids come from the seeded source.
 */
export function* simulateSales(opts: SimulationOptions): Generator<SimStep> {
  const { catalog, rules, random } = opts;
  const pick = productPicker(catalog);
  const stock = new Map(catalog.map((p) => [p.productId, p.inventory]));
  const discountPercent = Math.round(rules.clubMemberDiscount * 100);
  const supplementCents = Math.round(rules.supplementsCost * 100);

  const startText = formatTimestamp(opts.startTime);
  yield { time: opts.startTime, events: catalog.map((p) => ({ kind: 'product', key: p.productId, value: productMessage(p, startText) })) };

  let time = opts.startTime;
  for (let n = 0; opts.count === 0 || n < opts.count; n++) {
    const transactionTime = formatTimestamp(time);
    const transactionId = transactionIdFrom(random);
    const isMember = random.int(1, 10) <= rules.memberFreq;
    const events: SimEvent[] = [];
    const items = itemCount(random.int(1, 20), rules);
    for (let i = 0; i < items; i++) {
      const product = catalog[pick(random.int(3, 200))];
      const quantity = quantityFor(random.int(1, 30), rules);
      const supplementFreq = SUPPLEMENT_GROUP1.test(product.productId) ? rules.addSuppFreqGroup1
        : SUPPLEMENT_GROUP2.test(product.productId) ? rules.addSuppFreqGroup2 : 0;
      const addSupplement = random.int(1, 10) <= supplementFreq;
      const priceCents = Math.round(product.price * 100);
      const suppCents = addSupplement ? supplementCents : 0;
      const discount = isMember ? discountPercent : 0;
      // round(q × (price + supplement) × (1 − discount), 2), computed in integer cents
      const totalCents = Math.round((quantity * (priceCents + suppCents) * (100 - discount)) / 100);
      events.push({
        kind: 'purchase',
        key: product.productId,
        value: {
          transaction_time: transactionTime,
          transaction_id: transactionId,
          product_id: product.productId,
          price: product.price,
          quantity,
          is_member: isMember,
          member_discount: isMember ? rules.clubMemberDiscount : 0,
          add_supplements: addSupplement,
          supplement_price: suppCents / 100,
          total_purchase: totalCents / 100,
        },
      });
      const level = stock.get(product.productId)! - quantity;
      if (level <= rules.minInventory) {
        const newLevel = level + rules.restockAmount;
        events.push({
          kind: 'inventory',
          key: product.productId,
          value: { event_time: transactionTime, product_id: product.productId, existing_level: level, stock_quantity: rules.restockAmount, new_level: newLevel },
        });
        stock.set(product.productId, newLevel);
      } else {
        stock.set(product.productId, level);
      }
    }
    yield { time, events };
    time += opts.fixedGap ?? random.int(rules.minSaleFreq, rules.maxSaleFreq) * 1_000_000;
  }
}

/** r = randint(1,20): r ≤ one-item freq → 1 item, r ≥ 19 → 3 items, else 2. */
export function itemCount(r: number, rules: SalesRules): number {
  if (r <= rules.transactionQuantityOneItemFreq) return 1;
  return r >= 19 ? 3 : 2;
}

/** r = randint(1,30): r ≤ quantity-one freq → 1, r = 30 → 3, else 2. */
export function quantityFor(r: number, rules: SalesRules): number {
  if (r <= rules.itemQuantityOneFreq) return 1;
  return r === 30 ? 3 : 2;
}

/** Draw in [3, 200] → index of the product with the nearest cumulative weight, ties to the lower. */
export function productPicker(catalog: CatalogProduct[]): (draw: number) => number {
  const max = catalog[catalog.length - 1].rangeWeight;
  const table = new Int32Array(max + 1);
  for (let d = 0; d <= max; d++) {
    let best = 0;
    for (let i = 1; i < catalog.length; i++) {
      if (Math.abs(catalog[i].rangeWeight - d) < Math.abs(catalog[best].rangeWeight - d)) best = i;
    }
    table[d] = best;
  }
  return (draw) => table[Math.min(draw, max)];
}

function transactionIdFrom(random: RandomSource): string {
  // 63 bits from two draws: a long decimal string like the original's
  const high = BigInt(random.int(0, 0x7fffffff));
  const low = BigInt(random.int(0, 0xffffffff));
  return ((high << 32n) | low).toString();
}

/** The catalog row as the original generator published it on the products topic. */
export function productMessage(p: CatalogProduct, eventTime: string): ProductMessage {
  return {
    event_time: eventTime,
    product_id: p.productId,
    category: p.category,
    item: p.item,
    size: p.size,
    cogs: p.cogs,
    price: p.price,
    inventory_level: p.inventory,
    contains_fruit: p.containsFruit,
    contains_veggies: p.containsVeggies,
    contains_nuts: p.containsNuts,
    contains_caffeine: p.containsCaffeine,
    propensity_to_buy: p.rangeWeight,
  };
}
