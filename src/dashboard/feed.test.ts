// The feed over a real LiveStore (DuckDB in memory) reading a real embedded log in a temp folder:
// the one query behind every figure answers what each figure's own query answers, and the figures
// are pushed when records are ingested, with no polling.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalog } from '../config/load.js';
import { LiveStore } from '../serve/store.js';
import { EmbeddedTransport } from '../transport/embedded/embedded.js';
import { DashboardFeed, rowsOf, type FeedStore } from './feed.js';
import { dashboardData, type Answers, type DashboardData } from './figures.js';
import { DAYS_SQL, dashboardQueries } from './queries.js';
import { seededFractions } from '../generator/random.js';

const CATALOG = resolve(import.meta.dirname, '../../configuration/products.csv');
const LIMITS = { timeoutMs: 30_000, maxRows: 100_000 };
const TOPICS = { purchases: 'demo.purchases', products: 'demo.products', inventories: 'demo.inventories', runningTotals: 'demo.running.totals', purchasesEnriched: 'demo.purchases.enriched' };

const random = seededFractions;

/** Purchases over three days, catalog products and one unknown to it, a few sharing a transaction id. */
function purchases(count: number, seed: number, days = ['2022-08-30', '2022-08-31', '2022-09-01']): string[] {
  const next = random(seed);
  const products = [...loadCatalog(CATALOG).map((p) => p.productId), 'ZZ99'];
  const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)];
  const two = (n: number) => String(n).padStart(2, '0');
  return Array.from({ length: count }, () => {
    const price = pick([4.99, 5.49, 5.99, 6.49]);
    const quantity = 1 + Math.floor(next() * 4);
    const time = `${pick(days)} ${two(Math.floor(next() * 24))}:${two(Math.floor(next() * 60))}:${two(Math.floor(next() * 60))}.000000`;
    return JSON.stringify({
      transaction_time: time, transaction_id: next() < 0.1 ? null : `T${Math.floor(next() * count)}`, product_id: pick(products), price, quantity,
      is_member: false, member_discount: 0, add_supplements: false, supplement_price: 0, total_purchase: Math.round(price * quantity * 100) / 100,
    });
  });
}

describe('the dashboard feed', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function open() {
    const dir = mkdtempSync(join(tmpdir(), 'salesstream-feed-'));
    const transport = new EmbeddedTransport(dir);
    await transport.createTopic(TOPICS.purchases, 2);
    const writer = await transport.writer({ durability: 'relaxed' });
    const store = await LiveStore.open({ transport, topics: TOPICS, catalog: () => loadCatalog(CATALOG), retention: 1_000_000 });
    const stop = new AbortController();
    const running = store.run(stop.signal);
    cleanup.push(async () => {
      stop.abort();
      await running;
      await writer.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const write = async (values: string[]) => {
      await writer.send(TOPICS.purchases, values.map((value) => ({ key: null, value })));
    };
    const held = async (n: number) => {
      await expect.poll(() => store.status().find((s) => s.table === 'purchases')!.records, { timeout: 30_000 }).toBe(n);
    };
    return { store, write, held };
  }

  it("answers every figure with one query, equal to each figure's own query (random data)", async () => {
    const { store, write, held } = await open();
    const values = purchases(3000, 7);
    await write(values);
    await held(values.length);
    let asked = 0;
    const counting: FeedStore = { ...bind(store), query: (sql, limits) => (asked++, store.query(sql, limits)) };
    const feed = new DashboardFeed(counting, LIMITS, undefined, (err) => { throw err; });
    const separately = async (date: string): Promise<DashboardData> => {
      const ask = async (sql: string) => rowsOf(await store.query(sql, LIMITS));
      const queries = dashboardQueries(date);
      const answers: Record<string, unknown> = { days: await ask(DAYS_SQL) };
      for (const [name, sql] of Object.entries(queries)) answers[name] = await ask(sql);
      return dashboardData(date, answers as unknown as Answers);
    };
    for (const date of ['2022-08-30', '2022-08-31', '2022-09-01', '2022-09-02']) {
      asked = 0;
      expect(await feed.figures(date)).toEqual(await separately(date));
      expect(asked).toBe(1);
    }
    // the default day is the latest with purchases; once known, one query too
    expect(await feed.figures()).toEqual(await separately('2022-09-01'));
    asked = 0;
    expect((await feed.figures()).date).toBe('2022-09-01');
    expect(asked).toBe(1);
    // a new day: the default day follows it
    await write(purchases(20, 8, ['2022-09-02']));
    await held(values.length + 20);
    expect(await feed.figures()).toEqual(await separately('2022-09-02'));
  });

  it('pushes the figures when records are ingested, without polling the tables', async () => {
    const { store, write, held } = await open();
    await write(purchases(50, 1, ['2022-08-31']));
    await held(50);
    // tables that look unchanged to a poller: only the store's change events can tell
    const frozen = store.status();
    const feed = new DashboardFeed({ ...bind(store), status: () => frozen }, LIMITS, '2022-08-31', (err) => { throw err; });
    feed.start();
    cleanup.push(async () => feed.stop());
    const sent: DashboardData[] = [];
    feed.watch(undefined, { figures: (json) => sent.push(JSON.parse(json)), freshness: () => undefined });
    const transactions = () => sent.at(-1)?.tiles.find((t) => t.key === 'purchases')?.value;
    await expect.poll(transactions, { timeout: 30_000 }).toBe(50);
    await write(purchases(7, 2, ['2022-08-31']));
    await expect.poll(transactions, { timeout: 30_000 }).toBe(57);
    // nothing new: nothing computed or sent again
    const count = sent.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(sent.length).toBe(count);
  });
});

/** The store as the feed sees it. */
function bind(store: LiveStore): FeedStore {
  return { query: (sql, limits) => store.query(sql, limits), status: () => store.status(), onChange: (listener) => store.onChange(listener) };
}
