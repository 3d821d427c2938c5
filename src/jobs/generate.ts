import { setTimeout as sleep } from 'node:timers/promises';
import type { Topics } from '../config/config.js';
import { purchaseJson } from '../model/messages.js';
import type { CatalogProduct } from '../generator/catalog.js';
import { seededRandom } from '../generator/random.js';
import type { SalesRules } from '../generator/rules.js';
import { simulateSales, type SimEvent } from '../generator/simulation.js';
import type { ProduceRecord, Transport } from '../transport/transport.js';

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
}

const COUNTER: Record<SimEvent['kind'], keyof GenerateCounts> = { product: 'products', purchase: 'purchases', inventory: 'inventories' };

/** Records gathered before a send: big enough to batch, small enough to show progress. */
const BATCH_RECORDS = 5000;
const LINGER_MS = 20;

/** Drives the pure simulation into the transport: batching, pacing, and a clean stop. */
export async function runGenerate(opts: GenerateOptions): Promise<GenerateSummary> {
  const { transport, topics } = opts;
  const now = opts.now ?? Date.now;
  for (const topic of [topics.products, topics.purchases, topics.inventories]) {
    await transport.createTopic(topic, opts.partitions);
  }
  const topicOf: Record<SimEvent['kind'], string> = { product: topics.products, purchase: topics.purchases, inventory: topics.inventories };
  const counts: GenerateCounts = { transactions: 0, products: 0, purchases: 0, inventories: 0 };
  const pending = new Map<string, ProduceRecord[]>();
  let pendingCount = 0;
  const writer = await transport.writer();
  let lastFlush = now();
  const flush = async () => {
    lastFlush = now();
    for (const [topic, records] of pending) if (records.length) await writer.send(topic, records);
    pending.clear();
    pendingCount = 0;
    opts.onProgress?.({ ...counts });
  };

  const started = now();
  let interrupted = false;
  try {
    const steps = simulateSales({
      catalog: opts.catalog,
      rules: opts.rules,
      random: seededRandom(opts.seed),
      startTime: opts.startTime,
      count: opts.count,
      fixedGap: opts.rate ? Math.round(1_000_000 / opts.rate) : undefined,
    });
    let first = true;
    for (const step of steps) {
      if (opts.signal?.aborted) {
        interrupted = true;
        break;
      }
      if (!opts.fast) {
        const due = started + (step.time - opts.startTime) / 1000;
        // ahead of schedule: send what is gathered (lingering up to LINGER_MS so fast paced
        // runs still batch, as a Kafka producer's linger.ms), then wait for the step's time
        if (due > now()) {
          if (pendingCount && (due - now() >= LINGER_MS || now() - lastFlush >= LINGER_MS)) await flush();
          const wait = due - now();
          if (wait > 0) await sleep(wait, undefined, { signal: opts.signal }).catch(() => undefined);
        }
        if (opts.signal?.aborted) {
          interrupted = true;
          break;
        }
      }
      for (const event of step.events) {
        const topic = topicOf[event.kind];
        let list = pending.get(topic);
        if (!list) pending.set(topic, (list = []));
        const value = event.kind === 'purchase' ? purchaseJson(event.value) : JSON.stringify(event.value);
        list.push({ key: opts.keys === 'none' ? null : event.key, value, json: true });
        pendingCount++;
        counts[COUNTER[event.kind]]++;
      }
      if (first) first = false; // the catalog step is not a transaction
      else counts.transactions++;
      // the catalog goes out first and alone, so every reader sees it before any sale
      if (pendingCount >= BATCH_RECORDS || counts.transactions === 0) await flush();
    }
    await flush();
  } finally {
    await writer.close();
  }
  const seconds = Math.max((now() - started) / 1000, 1e-3);
  const events = counts.products + counts.purchases + counts.inventories;
  return { ...counts, seed: opts.seed, seconds, eventsPerSecond: events / seconds, interrupted };
}
