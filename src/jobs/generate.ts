import { setTimeout as sleep } from 'node:timers/promises';
import type { Topics } from '../config/config.js';
import { UsageError } from '../errors.js';
import { describeAnomaly, type Anomaly } from '../generator/anomalies.js';
import type { CatalogProduct } from '../generator/catalog.js';
import type { OutRecord } from '../generator/disorder.js';
import { generatorParts } from '../generator/parts.js';
import { seededRandom } from '../generator/random.js';
import type { SalesRules } from '../generator/rules.js';
import { CLASSIC, PROFILES, type GeneratorSettings, type ProfileName } from '../generator/settings.js';
import { arrivalMessage, catalogMessages, outOfStockMessage, changeMessage, inventoryMessage, simulateTransactions, type Transaction } from '../generator/simulation.js';
import { PurchaseTexts } from '../generator/texts.js';
import type { Durability, ProduceRecord, Transport } from '../transport/transport.js';
import { TruthWriter } from './truth.js';

export interface GenerateOptions {
  transport: Transport;
  topics: Topics;
  catalog: CatalogProduct[];
  rules: SalesRules;
  seed: number;
  /** Transactions; 0 = until the signal. */
  count: number;
  /** No sleeping: event time advances by the simulated gaps. */
  fast: boolean;
  /** Transactions per second, instead of the rules' random gaps. */
  rate?: number;
  /** µs since the epoch. */
  startTime: number;
  keys: 'product_id' | 'none';
  partitions: number;
  /** Product changes (new price and/or cogs) per simulated day; 0 = the catalog never changes. */
  priceChanges?: number;
  /** What a sent batch's acknowledgement means (strict when absent). */
  durability?: Durability;
  /** Hours, curves, supply, anomalies, disorder (resolved: profile, ini, flags); default: the profile's. */
  settings?: GeneratorSettings;
  /** A preset, when `settings` is not given (default classic). */
  profile?: ProfileName;
  /** Writes the ground truth of the disorder (NDJSON) to this file; the caller has checked the path. */
  truth?: string;
  /** One line about the run for stderr (an anomaly beginning). */
  onNotice?: (line: string) => void;
  signal?: AbortSignal;
  /** Called after each flush with the running counts. */
  onProgress?: (counts: GenerateCounts) => void;
  /** Wall clock in ms, passed in so pacing is testable. */
  now?: () => number;
}

export interface GenerateCounts {
  transactions: number;
  products: number;
  purchases: number;
  inventories: number;
}

export interface GenerateSummary extends GenerateCounts {
  seed: number;
  seconds: number;
  eventsPerSecond: number;
  interrupted: boolean;
  /** Purchases delivered late, written twice (the copies), damaged. */
  injected: { late: number; duplicates: number; malformed: number };
  /** Items wanted at an empty shelf: taken as another product, or lost (the customer went without). */
  outOfStock: { attempts: number; substituted: number; lost: number; customersLeft: number };
  /** The anomalies that began, one line each. */
  anomalies: string[];
}

/** The price changes' own seeded source: adding changes to a run leaves its sales draws as they were. */
function priceChangeRandom(seed: number) {
  return seededRandom(seed + 0x5eed_c4a9);
}

/** Records gathered before a send: big enough to batch, small enough to show progress. */
const BATCH_RECORDS = 5000;
const LINGER_MS = 20;

/** Drives the pure simulation into the transport: batching, pacing, and a clean stop. */
export async function runGenerate(opts: GenerateOptions): Promise<GenerateSummary> {
  const { transport, topics } = opts;
  const now = opts.now ?? Date.now;
  const settings = opts.settings ?? { ...CLASSIC, ...PROFILES[opts.profile ?? 'classic'] };
  const { disorder, ...extras } = generatorParts(settings, opts);
  const lostSalesTopic = extras.supply ? settings.lostSalesTopic : undefined;
  if (lostSalesTopic !== undefined && Object.values(topics).includes(lostSalesTopic)) {
    throw new UsageError(`lost-sales topic ${lostSalesTopic} is one of the generator's own topics: name another`);
  }
  const written = [topics.products, topics.purchases, topics.inventories, ...(lostSalesTopic ? [lostSalesTopic] : [])];
  for (const topic of written) {
    await transport.createTopic(topic, opts.partitions);
  }
  const truth = opts.truth === undefined ? undefined : await TruthWriter.open(opts.truth, transport, topics, written);
  const counts: GenerateCounts = { transactions: 0, products: 0, purchases: 0, inventories: 0 };
  const injected = { late: 0, duplicates: 0, malformed: 0 };
  const outOfStock = { attempts: 0, substituted: 0, lost: 0, customersLeft: 0 };
  const anomalies: string[] = [];
  const productIds = opts.catalog.map((p) => p.productId);
  // values are built as text straight away (json: the transport need not check them), so a
  // pending record holds little more than its string
  const record = (productId: string, value: string): ProduceRecord => ({ key: opts.keys === 'none' ? null : productId, value, json: true });
  let products: ProduceRecord[] = [];
  let purchases: ProduceRecord[] = [];
  let inventories: ProduceRecord[] = [];
  let lostSales: ProduceRecord[] = [];
  /** With a truth file: the purchases' records as the disorder left them, one per pending purchase. */
  let outs: OutRecord[] = [];
  const writer = await transport.writer({ durability: opts.durability });
  let lastFlush = now();
  const flush = async () => {
    lastFlush = now();
    // product versions first: a reader that sees a purchase can already find the version it used
    const batches: [string, ProduceRecord[]][] = [[topics.products, products], [topics.purchases, purchases], [topics.inventories, inventories]];
    if (lostSalesTopic) batches.push([lostSalesTopic, lostSales]);
    const labels = outs;
    products = [];
    purchases = [];
    inventories = [];
    lostSales = [];
    outs = [];
    for (const [topic, records] of batches) {
      if (!records.length) continue;
      await writer.send(topic, records);
      truth?.sent(topic, records, topic === topics.purchases ? labels : undefined);
    }
    opts.onProgress?.({ ...counts });
  };

  const texts = new PurchaseTexts(opts.rules);
  /** Gathers the product versions that take effect before a transaction. */
  const addChanges = (tx: Transaction) => {
    for (const change of tx.changes) {
      const { key, value } = changeMessage(change);
      products.push(record(key, JSON.stringify(value)));
      counts.products++;
    }
  };
  const disordered: OutRecord[] = [];
  /** A purchase on its way: through the disorder when there is one (labelled for the truth file). */
  const addPurchase = (productId: string, text: string, time: number) => {
    if (!disorder) {
      purchases.push(record(productId, text));
      if (truth) outs.push({ key: productId, text, eventTime: time });
      counts.purchases++;
      return;
    }
    disorder.push(productId, text, time, disordered);
    takeDisordered();
  };
  const takeDisordered = () => {
    for (const o of disordered) {
      const malformed = o.label?.kind === 'malformed';
      purchases.push({ key: opts.keys === 'none' ? null : o.key, value: o.text, json: !malformed });
      if (truth) outs.push(o);
      counts.purchases++;
      if (o.label?.kind === 'late') injected.late++;
      else if (o.label?.kind === 'duplicate') injected.duplicates++;
      else if (malformed) injected.malformed++;
    }
    disordered.length = 0;
  };
  /** Gathers a transaction: the restocks that arrived before it, its purchases, each followed by the restock it triggered. */
  const add = (tx: Transaction) => {
    for (const a of tx.anomalies) noteAnomaly(a);
    for (const r of tx.restocks) {
      inventories.push(record(r.product.productId, JSON.stringify(arrivalMessage(r))));
      counts.inventories++;
    }
    const head = texts.head(tx);
    for (const item of tx.items) {
      const productId = item.product.productId;
      addPurchase(productId, texts.purchase(head, tx, item), tx.time);
      if (item.restocked) {
        inventories.push(record(productId, JSON.stringify(inventoryMessage(tx, item, opts.rules))));
        counts.inventories++;
      }
    }
    if (tx.outOfStock.length) {
      for (const o of tx.outOfStock) {
        if (lostSalesTopic) lostSales.push(record(productIds[o.productIndex], JSON.stringify(outOfStockMessage(tx, o, opts.catalog))));
        outOfStock.attempts++;
        if (o.substitute === undefined) outOfStock.lost++;
        else outOfStock.substituted++;
      }
      if (tx.items.length === 0) outOfStock.customersLeft++;
    }
    if (tx.items.length) counts.transactions++;
  };
  const noteAnomaly = (a: Anomaly) => {
    const line = describeAnomaly(a, productIds);
    anomalies.push(line);
    opts.onNotice?.(`anomaly: ${line}`);
  };

  const started = now();
  /**
   * Waits until an event time's turn when ahead of schedule, first sending what is gathered
   * (lingering up to LINGER_MS so fast paced runs still batch, as a Kafka producer's linger.ms).
   */
  const pace = async (eventTime: number) => {
    const due = started + (eventTime - opts.startTime) / 1000;
    if (due <= now()) return;
    const gathered = products.length + purchases.length + inventories.length > 0;
    if (gathered && (due - now() >= LINGER_MS || now() - lastFlush >= LINGER_MS)) await flush();
    const wait = due - now();
    if (wait > 0) await sleep(wait, undefined, { signal: opts.signal }).catch(() => undefined);
  };
  let interrupted = Boolean(opts.signal?.aborted);
  try {
    // every topic is claimed (an empty send takes the embedded log's one-writer lock) before
    // anything is written: a run refused on one topic leaves the others untouched
    for (const topic of written) await writer.send(topic, []);
    if (!interrupted) {
      // the catalog goes out first and alone, so every reader sees it before any sale
      const catalog = catalogMessages(opts.catalog, opts.startTime);
      const catalogRecords = catalog.map((e) => record(e.key, JSON.stringify(e.value)));
      await writer.send(topics.products, catalogRecords);
      truth?.sent(topics.products, catalogRecords);
      counts.products = catalog.length;
      opts.onProgress?.({ ...counts });
    }
    const transactions = simulateTransactions({
      catalog: opts.catalog,
      rules: opts.rules,
      random: seededRandom(opts.seed),
      startTime: opts.startTime,
      count: opts.count,
      fixedGap: opts.rate ? Math.round(1_000_000 / opts.rate) : undefined,
      priceChanges: opts.priceChanges ? { perDay: opts.priceChanges, random: priceChangeRandom(opts.seed) } : undefined,
      ...extras,
    });
    for (const tx of transactions) {
      if (!opts.fast && tx.restocks.length) await pace(tx.restocks[0].time);
      if (tx.changes.length) {
        // a product change goes out at its own time, not with the next sale
        if (!opts.fast) await pace(tx.changes[0].time);
        addChanges(tx);
      }
      if (!opts.fast) await pace(tx.time);
      if (opts.signal?.aborted) {
        interrupted = true;
        break;
      }
      add(tx);
      if (purchases.length + inventories.length >= BATCH_RECORDS) await flush();
    }
    // the late purchases still held go out at the end, in the order they were due
    if (disorder) {
      disorder.drain(disordered);
      takeDisordered();
    }
    await flush();
  } finally {
    await writer.close();
    truth?.close();
  }
  const seconds = Math.max((now() - started) / 1000, 1e-3);
  const events = counts.products + counts.purchases + counts.inventories;
  return { ...counts, seed: opts.seed, seconds, eventsPerSecond: events / seconds, interrupted, injected, outOfStock, anomalies };
}
