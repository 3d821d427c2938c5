import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InventoryMessage, PurchaseMessage } from '../model/messages.js';
import { parseCatalog } from './catalog.js';
import { seededRandom } from './random.js';
import { DEFAULT_RULES } from './rules.js';
import { catalogMessages, inventoryMessage, productPicker, purchaseMessage, simulateTransactions } from './simulation.js';

const catalog = parseCatalog(readFileSync(resolve(import.meta.dirname, '../../configuration/products.csv'), 'utf8'));
const START = Date.UTC(2026, 0, 1, 8) * 1000;

type Event = { kind: 'product'; value: object } | { kind: 'purchase'; value: PurchaseMessage } | { kind: 'inventory'; value: InventoryMessage };
interface Step {
  time: number;
  events: Event[];
}

/** The messages a run publishes, in order: the catalog step, then per transaction each purchase and the restock it triggered. */
function run(seed: number, count: number): Step[] {
  const steps: Step[] = [{ time: START, events: catalogMessages(catalog, START).map((m) => ({ kind: 'product', value: m.value })) }];
  for (const tx of simulateTransactions({ catalog, rules: DEFAULT_RULES, random: seededRandom(seed), startTime: START, count })) {
    const events: Event[] = [];
    for (const item of tx.items) {
      events.push({ kind: 'purchase', value: purchaseMessage(tx, item, DEFAULT_RULES) });
      if (item.restocked) events.push({ kind: 'inventory', value: inventoryMessage(tx, item, DEFAULT_RULES) });
    }
    steps.push({ time: tx.time, events });
  }
  return steps;
}

/** |observed − p| within 5 standard deviations of a binomial proportion over n draws. */
function expectRate(observed: number, n: number, p: number, what: string) {
  const tolerance = 5 * Math.sqrt((p * (1 - p)) / n);
  expect(Math.abs(observed / n - p), `${what}: ${observed}/${n} vs ${p}`).toBeLessThanOrEqual(tolerance);
}

describe('the sales simulation', () => {
  it('publishes the 27-product catalog first, in the original field order', () => {
    const [first] = run(1, 1);
    expect(first.events).toHaveLength(27);
    const product = first.events[0].value;
    expect(Object.keys(product)).toEqual(['event_time', 'product_id', 'category', 'item', 'size', 'cogs', 'price', 'inventory_level',
      'contains_fruit', 'contains_veggies', 'contains_nuts', 'contains_caffeine', 'propensity_to_buy']);
    expect(product).toMatchObject({ product_id: 'CS01', event_time: '2026-01-01 08:00:00.000000', propensity_to_buy: 3, cogs: 1.5, price: 4.99 });
  });

  it('replays exactly from a seed, and differs with another seed', () => {
    const a = JSON.stringify(run(7, 500));
    expect(JSON.stringify(run(7, 500))).toBe(a);
    expect(JSON.stringify(run(8, 500))).not.toBe(a);
  });

  it('picks the nearest cumulative weight, ties to the lower', () => {
    const pick = productPicker(catalog);
    const id = (draw: number) => catalog[pick(draw)].productId;
    expect(id(3)).toBe('CS01');
    expect(id(4)).toBe('CS01'); // |3−4| < |6−4|
    expect(id(5)).toBe('CS02');
    expect(id(83)).toBe('SF01'); // 82 and 84 tie: the lower wins
    expect(id(200)).toBe('IS04');
  });

  describe('over 120,000 transactions', () => {
    const steps = run(20260101, 120_000).slice(1);
    const purchases = steps.flatMap((s) => s.events.filter((e) => e.kind === 'purchase').map((e) => e.value as PurchaseMessage));
    const n = steps.length;

    it('draws 1, 2 or 3 items per transaction with the rules\' probabilities (13/20, 5/20, 2/20)', () => {
      const items = steps.map((s) => s.events.filter((e) => e.kind === 'purchase').length);
      expectRate(items.filter((k) => k === 1).length, n, 13 / 20, 'one item');
      expectRate(items.filter((k) => k === 2).length, n, 5 / 20, 'two items');
      expectRate(items.filter((k) => k === 3).length, n, 2 / 20, 'three items');
    });

    it('draws quantities 1, 2, 3 with 24/30, 5/30, 1/30', () => {
      const m = purchases.length;
      expectRate(purchases.filter((p) => p.quantity === 1).length, m, 24 / 30, 'qty 1');
      expectRate(purchases.filter((p) => p.quantity === 2).length, m, 5 / 30, 'qty 2');
      expectRate(purchases.filter((p) => p.quantity === 3).length, m, 1 / 30, 'qty 3');
    });

    it('makes 3 in 10 transactions club members, once per transaction', () => {
      const members = steps.filter((s) => (s.events.find((e) => e.kind === 'purchase')!.value as PurchaseMessage).is_member).length;
      expectRate(members, n, 3 / 10, 'members');
      for (const s of steps.slice(0, 5000)) {
        const ps = s.events.filter((e) => e.kind === 'purchase').map((e) => e.value as PurchaseMessage);
        expect(new Set(ps.map((p) => `${p.is_member}|${p.transaction_id}|${p.transaction_time}`)).size).toBe(1);
      }
    });

    it('adds supplements at 5/10 for SF and SC products and 2/10 for CS and IS', () => {
      const group1 = purchases.filter((p) => /^(SF|SC)/.test(p.product_id));
      const group2 = purchases.filter((p) => /^(CS|IS)/.test(p.product_id));
      expectRate(group1.filter((p) => p.add_supplements).length, group1.length, 0.5, 'group 1');
      expectRate(group2.filter((p) => p.add_supplements).length, group2.length, 0.2, 'group 2');
    });

    it('picks each product at the rate its share of draws 3..200 gives', () => {
      const pick = productPicker(catalog);
      const share = new Map<string, number>();
      for (let d = 3; d <= 200; d++) share.set(catalog[pick(d)].productId, (share.get(catalog[pick(d)].productId) ?? 0) + 1 / 198);
      const counts = new Map<string, number>();
      for (const p of purchases) counts.set(p.product_id, (counts.get(p.product_id) ?? 0) + 1);
      for (const [id, p] of share) expectRate(counts.get(id) ?? 0, purchases.length, p, id);
    });

    it('computes total_purchase = round(q × (price + supplement) × (1 − discount), 2)', () => {
      const wrong = purchases.filter((p) =>
        p.member_discount !== (p.is_member ? 0.1 : 0) ||
        p.supplement_price !== (p.add_supplements ? 1.99 : 0) ||
        Math.abs(p.total_purchase - Math.round(p.quantity * (p.price + p.supplement_price) * (1 - p.member_discount) * 100) / 100) > 1e-9);
      expect(wrong).toEqual([]);
    });

    it('restocks when a sale leaves the stock at or below the minimum, consistent with the stock kept', () => {
      // stock kept independently: every sale lowers it by its quantity, every restock raises it
      const stock = new Map(catalog.map((c) => [c.productId, c.inventory]));
      const problems: string[] = [];
      let restocks = 0;
      for (const s of steps) {
        for (const e of s.events) {
          if (e.kind === 'purchase') {
            const p = e.value as PurchaseMessage;
            stock.set(p.product_id, stock.get(p.product_id)! - p.quantity);
          } else if (e.kind === 'inventory') {
            const r = e.value as InventoryMessage;
            if (r.existing_level !== stock.get(r.product_id)) problems.push(`${r.product_id} existing ${r.existing_level} ≠ kept ${stock.get(r.product_id)}`);
            if (r.existing_level > DEFAULT_RULES.minInventory) problems.push(`${r.product_id} restocked above the minimum`);
            if (r.new_level !== r.existing_level + r.stock_quantity || r.stock_quantity !== DEFAULT_RULES.restockAmount) problems.push(`${r.product_id} bad new_level`);
            stock.set(r.product_id, r.new_level);
            restocks++;
          }
        }
        // after each transaction no product is left at or below the minimum without a restock
        for (const [id, level] of stock) if (level <= DEFAULT_RULES.minInventory) problems.push(`${id} left at ${level}`);
      }
      expect(problems.slice(0, 5)).toEqual([]);
      expect(restocks).toBeGreaterThan(1000);
    });

    it('spaces transactions by whole seconds in [min_sale_freq, max_sale_freq]', () => {
      for (let i = 1; i < 2000; i++) {
        const gap = (steps[i].time - steps[i - 1].time) / 1e6;
        expect(gap).toBeGreaterThanOrEqual(2);
        expect(gap).toBeLessThanOrEqual(5);
        expect(Number.isInteger(gap)).toBe(true);
      }
    });
  });
});
