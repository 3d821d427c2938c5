import type { InventoryMessage, ProductMessage, PurchaseMessage } from '../model/messages.js';
import { formatTimestamp } from '../model/timestamp.js';
import type { CatalogProduct } from './catalog.js';
import type { Anomaly } from './anomalies.js';
import type { RandomSource } from './random.js';
import type { SalesRules } from './rules.js';
import type { Timeline } from './timeline.js';

/** One line item of a transaction, and what it did to the product's stock. */
export interface SaleItem {
  /** Position of the product in the catalog. */
  productIndex: number;
  product: CatalogProduct;
  /** 1, 2 or 3 (quantityFor). */
  quantity: number;
  addSupplement: boolean;
  /** Stock left by the sale, before any restock. */
  level: number;
  /** The sale left the stock at or below the minimum, so a restock of restockAmount follows. */
  restocked: boolean;
}

/**
 * One transaction as the simulation decides it: plain facts, no messages yet. The messages are
 * derived from it (purchaseMessage, inventoryMessage), so a caller that only needs their text
 * (the generate job) does not build an object per message.
 */
export interface Transaction {
  /** Event time, µs since the epoch. */
  time: number;
  /** The event time as the messages carry it. */
  transactionTime: string;
  transactionId: string;
  isMember: boolean;
  items: SaleItem[];
  /** New product versions that took effect since the previous transaction (before this one), oldest first. */
  changes: ProductChange[];
  /** Restocks that arrived since the previous transaction, oldest first (supply with a lead time). */
  restocks: Restock[];
  /** Items the customer wanted but found out of stock (supply with a lead time). */
  outOfStock: OutOfStock[];
  /** Anomalies that began since the previous transaction (up to this one's time), oldest first. */
  anomalies: Anomaly[];
}

/** A restock arriving (supply with a lead time): ordered when a sale left the stock at or below the minimum. */
export interface Restock {
  /** Event time of the arrival, µs: the order's time + the lead time. */
  time: number;
  /** When it was ordered, µs. */
  ordered: number;
  product: CatalogProduct;
  existing: number;
  amount: number;
}

/** A wanted item with fewer in stock than the quantity: taken as another product, or lost. */
export interface OutOfStock {
  productIndex: number;
  quantity: number;
  /** In stock before the attempt (< quantity). */
  level: number;
  /** Items of the transaction sold before the attempt (its place among them). */
  at: number;
  /** The product taken instead (its sale is among the items), or undefined: a lost sale. */
  substitute?: number;
}

/** A new version of a product (`--price-changes`): another price and/or cogs from `time` on. */
export interface ProductChange {
  /** Event time, µs since the epoch: purchases at or after it use the new version. */
  time: number;
  productIndex: number;
  product: CatalogProduct;
}

export interface PriceChangeOptions {
  /** Changes per simulated day (on average); 0 = none. */
  perDay: number;
  /** Its own seeded source, apart from the sales draws: a run with changes draws the same sales. */
  random: RandomSource;
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
  priceChanges?: PriceChangeOptions;
  /** When the store sells (hours, curves, anomalies); undefined = always, at the rules' pace. */
  timeline?: Timeline;
  /** Restocks after a lead time, and what customers do at an empty shelf; undefined = restocks at once. */
  supply?: SupplyOptions;
  /** Zipf-like hot keys: the k-th most popular product's propensity ÷ k^skew; 0 = the catalog's. */
  skew?: number;
  /** The anomalies a timeline follows, to report as they begin. */
  anomalies?: { takeStarted(t: number): Anomaly[] };
}

export interface SupplyOptions {
  /** µs from order to arrival (> 0). */
  leadTime: number;
  /** randint(1,10) ≤ this → the customer takes another product. */
  substituteFreq: number;
  /** Its own seeded source, apart from the sales draws. */
  random: RandomSource;
}

const SUPPLEMENT_GROUP1 = /^(SF|SC)/;
const SUPPLEMENT_GROUP2 = /^(CS|IS)/;

/**
 * The original producer.py, as a pure generator of transactions (the catalog message comes
 * before them: catalogEvents), with its bugs fixed: stock falls by the quantity sold (not by
 * one), and transaction ids come from the seeded source. The draws and their order are what
 * make a seed replay exactly: change them and every seeded run changes.
 */
export function* simulateTransactions(opts: SimulationOptions): Generator<Transaction> {
  const { rules, random, timeline, supply } = opts;
  // the products as they are now: price changes replace entries
  const catalog = opts.catalog.slice();
  const changes = priceChanges(opts.catalog, opts.startTime, opts.priceChanges);
  const pickers = new ProductPickers(opts.catalog, opts.skew ?? 0);
  // stock by catalog position (a price change replaces the entry, never moves it)
  const stock = Int32Array.from(catalog, (p) => p.inventory);
  const supplementFreq = catalog.map((p) => SUPPLEMENT_GROUP1.test(p.productId) ? rules.addSuppFreqGroup1
    : SUPPLEMENT_GROUP2.test(p.productId) ? rules.addSuppFreqGroup2 : 0);
  const orders = supply ? new RestockOrders(catalog.length, supply.leadTime, rules.restockAmount, rules.minInventory) : undefined;

  let time = timeline ? timeline.firstOpen(opts.startTime) : opts.startTime;
  for (let n = 0; opts.count === 0 || n < opts.count; n++) {
    const transactionTime = formatTimestamp(time);
    const changed = changes.until(time);
    for (const c of changed) catalog[c.productIndex] = c.product;
    const restocks = orders ? orders.arrived(time, stock, catalog) : NO_RESTOCKS;
    const pick = pickers.at(timeline?.anomalyAt(time));
    const transactionId = transactionIdFrom(random);
    const isMember = random.int(1, 10) <= rules.memberFreq;
    const items: SaleItem[] = [];
    let outOfStock = NO_OUT_OF_STOCK;
    const itemTotal = itemCount(random.int(1, 20), rules);
    for (let i = 0; i < itemTotal; i++) {
      let productIndex = pick.pick(random);
      const quantity = quantityFor(random.int(1, 30), rules);
      if (orders && stock[productIndex] < quantity) {
        // an empty shelf: another product (when the customer wants one and it is there), or a lost sale
        const missed: OutOfStock = { productIndex, quantity, level: stock[productIndex], at: items.length };
        if (outOfStock === NO_OUT_OF_STOCK) outOfStock = [];
        outOfStock.push(missed);
        const other = supply!.random.int(1, 10) <= supply!.substituteFreq ? pick.pick(supply!.random) : productIndex;
        if (other === productIndex || stock[other] < quantity) continue;
        missed.substitute = productIndex = other;
      }
      const addSupplement = random.int(1, 10) <= supplementFreq[productIndex];
      const product = catalog[productIndex];
      const level = stock[productIndex] - quantity;
      if (orders) {
        stock[productIndex] = level;
        orders.sold(productIndex, quantity, level, time);
        items.push({ productIndex, product, quantity, addSupplement, level, restocked: false });
        continue;
      }
      const restocked = level <= rules.minInventory;
      stock[productIndex] = restocked ? level + rules.restockAmount : level;
      items.push({ productIndex, product, quantity, addSupplement, level, restocked });
    }
    const anomalies = opts.anomalies ? opts.anomalies.takeStarted(time) : NO_ANOMALIES;
    yield { time, transactionTime, transactionId, isMember, items, changes: changed, restocks, outOfStock, anomalies };
    const gap = opts.fixedGap ?? random.int(rules.minSaleFreq, rules.maxSaleFreq) * 1_000_000;
    time = timeline ? timeline.advance(time, gap) : time + gap;
  }
}

const NO_RESTOCKS: Restock[] = [];
/** The recent demand a reorder point covers: the sales of the last lead time, in quarters. */
const DEMAND_BUCKETS = 4;
const NO_OUT_OF_STOCK: OutOfStock[] = [];
const NO_ANOMALIES: Anomaly[] = [];

/**
 * Restock orders under way, each of restockAmount arriving `leadTime` after it was placed. A
 * product is ordered when its stock plus what is on order falls to its reorder point: the
 * minimum plus what it sold during the last lead time (the demand the order must cover while it
 * comes). A busy product has several orders under way; a sudden rush (a peak, a promotion)
 * outruns them and empties the shelf. The lead time is the same for all, so arrivals come in
 * order of placing.
 */
class RestockOrders {
  private readonly pending: { product: number; ordered: number }[] = [];
  /** By catalog position: units on order. */
  private readonly onOrder: Int32Array;
  /** By catalog position: units sold per quarter of a lead time, the last DEMAND_BUCKETS quarters (a ring), and the last quarter written. */
  private readonly recent: Int32Array;
  private readonly lastBucket: Float64Array;
  private readonly bucketSpan: number;

  constructor(products: number, private readonly leadTime: number, private readonly amount: number, private readonly min: number) {
    this.onOrder = new Int32Array(products);
    this.recent = new Int32Array(products * DEMAND_BUCKETS);
    this.lastBucket = new Float64Array(products).fill(-Infinity);
    this.bucketSpan = Math.max(1, leadTime / DEMAND_BUCKETS);
  }

  /** After a sale of `quantity` left `level` in stock. */
  sold(product: number, quantity: number, level: number, time: number): void {
    const bucket = Math.floor(time / this.bucketSpan);
    const ring = product * DEMAND_BUCKETS;
    // quarters gone by since the product's last sale are emptied
    const last = this.lastBucket[product];
    for (let b = Math.max(last + 1, bucket - DEMAND_BUCKETS + 1); b <= bucket; b++) this.recent[ring + (b % DEMAND_BUCKETS)] = 0;
    this.lastBucket[product] = bucket;
    this.recent[ring + (bucket % DEMAND_BUCKETS)] += quantity;
    let demand = 0;
    for (let i = 0; i < DEMAND_BUCKETS; i++) demand += this.recent[ring + i];
    while (level + this.onOrder[product] <= this.min + demand) {
      this.onOrder[product] += this.amount;
      this.pending.push({ product, ordered: time });
    }
  }

  /** The orders arrived by `time`, added to the stock. */
  arrived(time: number, stock: Int32Array, catalog: CatalogProduct[]): Restock[] {
    if (this.pending.length === 0 || this.pending[0].ordered + this.leadTime > time) return NO_RESTOCKS;
    const due: Restock[] = [];
    while (this.pending.length && this.pending[0].ordered + this.leadTime <= time) {
      const { product, ordered } = this.pending.shift()!;
      this.onOrder[product] -= this.amount;
      const existing = stock[product];
      stock[product] = existing + this.amount;
      due.push({ time: ordered + this.leadTime, ordered, product: catalog[product], existing, amount: this.amount });
    }
    return due;
  }
}

/**
 * How a product is chosen: the original's draw (randint(3, 200), nearest cumulative weight) when
 * nothing changes the propensities — the classic run's draws, unchanged — else a draw in
 * proportion to weights: the original draw's own odds per product, divided by rank^skew (hot
 * keys), times a promotion's factor for its products.
 */
class ProductPickers {
  private readonly base: number[];
  private readonly plain: Picker;
  private readonly promotions = new WeakMap<Anomaly, Picker>();

  constructor(catalog: CatalogProduct[], skew: number) {
    const table = pickTable(catalog);
    const odds = catalog.map(() => 0);
    for (let d = 3; d <= 200; d++) odds[table[Math.min(d, table.length - 1)]]++;
    const ranked = odds.map((w, i) => ({ w, i })).sort((a, b) => b.w - a.w || a.i - b.i);
    this.base = odds.slice();
    if (skew > 0) ranked.forEach(({ i }, rank) => (this.base[i] = odds[i] / (rank + 1) ** skew));
    this.plain = skew > 0 ? Picker.weighted(this.base) : Picker.original(table);
  }

  at(anomaly: Anomaly | undefined): Picker {
    if (anomaly === undefined || anomaly.kind !== 'promotion') return this.plain;
    let picker = this.promotions.get(anomaly);
    if (!picker) {
      picker = Picker.weighted(this.base.map((w, i) => (anomaly.products.includes(i) ? w * anomaly.factor : w)));
      this.promotions.set(anomaly, picker);
    }
    return picker;
  }
}

/**
 * One product draw. Both kinds are one class, so the simulation's call site stays monomorphic
 * (a second function there slowed every draw by a tenth).
 */
export class Picker {
  private constructor(private readonly table: Int32Array | undefined, private readonly cumulative: Float64Array | undefined) {}

  /** The original: randint(3, 200) → the product with the nearest cumulative weight. */
  static original(table: Int32Array): Picker {
    return new Picker(table, undefined);
  }

  /** Index i with probability weights[i] / Σ weights (one draw in millionths). */
  static weighted(weights: number[]): Picker {
    const total = weights.reduce((a, b) => a + b, 0);
    const cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => (cumulative[i] = sum += (w / total) * 1_000_000));
    return new Picker(undefined, cumulative);
  }

  pick(random: RandomSource): number {
    const table = this.table;
    if (table !== undefined) return table[Math.min(random.int(3, 200), table.length - 1)];
    const cumulative = this.cumulative!;
    const u = random.int(0, 999_999) + 0.5;
    let i = 0;
    while (i < cumulative.length - 1 && cumulative[i] <= u) i++;
    return i;
  }
}

const NO_CHANGES: ProductChange[] = [];
const DAY_SECONDS = 86_400;

/**
 * The schedule of product changes: gaps of 1 s to twice the mean (a day / perDay), each change
 * a random product whose price, cogs or both move by 1–20 % up or down (to the cent, never to
 * zero), the other fields kept. Drawn from its own source, in time order, as transactions ask.
 */
function priceChanges(initial: CatalogProduct[], startTime: number, opts: PriceChangeOptions | undefined) {
  if (!opts || opts.perDay <= 0) return { until: () => NO_CHANGES };
  const { random } = opts;
  const current = initial.slice();
  const maxGap = Math.max(1, Math.round((2 * DAY_SECONDS) / opts.perDay));
  let next = startTime + random.int(1, maxGap) * 1_000_000;
  return {
    /** The changes with time ≤ t not handed out yet. */
    until(t: number): ProductChange[] {
      if (next > t) return NO_CHANGES;
      const due: ProductChange[] = [];
      while (next <= t) {
        const productIndex = random.int(0, current.length - 1);
        const kind = random.int(1, 3); // 1: price, 2: cogs, 3: both
        const old = current[productIndex];
        const product = {
          ...old,
          price: kind === 2 ? old.price : moved(old.price, random),
          cogs: kind === 1 ? old.cogs : moved(old.cogs, random),
        };
        current[productIndex] = product;
        due.push({ time: next, productIndex, product });
        next += random.int(1, maxGap) * 1_000_000;
      }
      return due;
    },
  };
}

/** An amount moved by 1–20 % up or down, in whole cents, at least a cent and never unchanged. */
function moved(amount: number, random: RandomSource): number {
  const cents = Math.round(amount * 100);
  const percent = random.int(1, 20) * (random.int(0, 1) === 0 ? -1 : 1);
  let next = Math.max(1, Math.round((cents * (100 + percent)) / 100));
  if (next === cents) next = cents + 1;
  return next / 100;
}

/** A product change's message on the products topic: the new version, valid from its time. */
export function changeMessage(change: ProductChange): { key: string; value: ProductMessage } {
  return { key: change.product.productId, value: productMessage(change.product, formatTimestamp(change.time)) };
}

/** The catalog's messages, keyed by product, as published once at the start time before any sale. */
export function catalogMessages(catalog: CatalogProduct[], startTime: number): { key: string; value: ProductMessage }[] {
  const eventTime = formatTimestamp(startTime);
  return catalog.map((p) => ({ key: p.productId, value: productMessage(p, eventTime) }));
}

/**
 * A line item's purchase message. Money is computed in integer cents:
 * total = round(q × (price + supplement) × (1 − discount), 2).
 */
export function purchaseMessage(tx: Transaction, item: SaleItem, rules: SalesRules): PurchaseMessage {
  const { product, quantity, addSupplement } = item;
  const priceCents = Math.round(product.price * 100);
  const suppCents = addSupplement ? Math.round(rules.supplementsCost * 100) : 0;
  const discount = tx.isMember ? Math.round(rules.clubMemberDiscount * 100) : 0;
  const totalCents = Math.round((quantity * (priceCents + suppCents) * (100 - discount)) / 100);
  return {
    transaction_time: tx.transactionTime,
    transaction_id: tx.transactionId,
    product_id: product.productId,
    price: product.price,
    quantity,
    is_member: tx.isMember,
    member_discount: tx.isMember ? rules.clubMemberDiscount : 0,
    add_supplements: addSupplement,
    supplement_price: suppCents / 100,
    total_purchase: totalCents / 100,
  };
}

/** An item wanted at an empty shelf, as an event on the lost-sales topic (`substitute_product_id` null: a lost sale). */
export function outOfStockMessage(tx: Transaction, o: OutOfStock, catalog: CatalogProduct[]): OutOfStockMessage {
  return {
    event_time: tx.transactionTime,
    transaction_id: tx.transactionId,
    product_id: catalog[o.productIndex].productId,
    quantity: o.quantity,
    in_stock: o.level,
    substitute_product_id: o.substitute === undefined ? null : catalog[o.substitute].productId,
  };
}

export interface OutOfStockMessage {
  event_time: string;
  transaction_id: string;
  product_id: string;
  quantity: number;
  in_stock: number;
  substitute_product_id: string | null;
}

/** A restock's message at its arrival (supply with a lead time). */
export function arrivalMessage(r: Restock): InventoryMessage {
  return {
    event_time: formatTimestamp(r.time),
    product_id: r.product.productId,
    existing_level: r.existing,
    stock_quantity: r.amount,
    new_level: r.existing + r.amount,
  };
}

/** The restock a line item triggered (only when item.restocked). */
export function inventoryMessage(tx: Transaction, item: SaleItem, rules: SalesRules): InventoryMessage {
  return {
    event_time: tx.transactionTime,
    product_id: item.product.productId,
    existing_level: item.level,
    stock_quantity: rules.restockAmount,
    new_level: item.level + rules.restockAmount,
  };
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
  const table = pickTable(catalog);
  const max = table.length - 1;
  return (draw) => table[Math.min(draw, max)];
}

/** Product by draw, for draws 0 … the last cumulative weight. */
function pickTable(catalog: CatalogProduct[]): Int32Array {
  const max = catalog[catalog.length - 1].rangeWeight;
  const table = new Int32Array(max + 1);
  for (let d = 0; d <= max; d++) {
    let best = 0;
    for (let i = 1; i < catalog.length; i++) {
      if (Math.abs(catalog[i].rangeWeight - d) < Math.abs(catalog[best].rangeWeight - d)) best = i;
    }
    table[d] = best;
  }
  return table;
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
