import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from './catalog.js';
import { seededRandom } from './random.js';
import { DEFAULT_RULES } from './rules.js';
import { changeMessage, purchaseMessage, simulateTransactions, type Transaction } from './simulation.js';
import { PurchaseTexts } from './texts.js';
import { purchaseText } from '../model/messages.js';

const catalog = parseCatalog(readFileSync(resolve(import.meta.dirname, '../../configuration/products.csv'), 'utf8'));
const START = Date.UTC(2026, 0, 1, 8) * 1000;
const DAY = 86_400_000_000;

function run(seed: number, count: number, perDay?: number): Transaction[] {
  return [...simulateTransactions({
    catalog, rules: DEFAULT_RULES, random: seededRandom(seed), startTime: START, count,
    priceChanges: perDay === undefined ? undefined : { perDay, random: seededRandom(seed + 1) },
  })];
}

describe('product price changes (--price-changes)', () => {
  const plain = run(4, 60_000);
  const changing = run(4, 60_000, 20);
  const changes = changing.flatMap((tx) => tx.changes);
  const days = (changing.at(-1)!.time - START) / DAY;

  it('make about perDay changes per simulated day, each after the previous, each before the sale it precedes', () => {
    expect(changes.length).toBeGreaterThan(days * 20 * 0.7);
    expect(changes.length).toBeLessThan(days * 20 * 1.3);
    for (let i = 1; i < changes.length; i++) expect(changes[i].time).toBeGreaterThan(changes[i - 1].time);
    let previous = START;
    for (const tx of changing) {
      for (const c of tx.changes) expect(c.time > previous && c.time <= tx.time, `change at ${c.time}`).toBe(true);
      previous = tx.time;
    }
  });

  it('change price and/or cogs by 1–20 % (to the cent) and keep every other field', () => {
    const current = new Map(catalog.map((p) => [p.productId, p]));
    for (const c of changes) {
      const old = current.get(c.product.productId)!;
      expect({ ...c.product, price: 0, cogs: 0 }).toEqual({ ...old, price: 0, cogs: 0 });
      expect(c.product.price !== old.price || c.product.cogs !== old.cogs).toBe(true);
      for (const field of ['price', 'cogs'] as const) {
        const cents = Math.round(c.product[field] * 100);
        expect(Math.abs(c.product[field] * 100 - cents)).toBeLessThan(1e-6);
        expect(Math.abs(cents - Math.round(old[field] * 100))).toBeLessThanOrEqual(Math.max(1, Math.ceil(old[field] * 20)));
        expect(cents).toBeGreaterThan(0);
      }
      current.set(c.product.productId, c.product);
    }
    const message = changeMessage(changes[0]);
    expect(message.key).toBe(changes[0].product.productId);
    expect(message.value).toMatchObject({ product_id: changes[0].product.productId, price: changes[0].product.price, cogs: changes[0].product.cogs });
    expect(Object.keys(message.value)[0]).toBe('event_time');
  });

  it('leave the sales draws as they were, and each purchase has the price valid at its time', () => {
    expect(changing.length).toBe(plain.length);
    const versions: { id: string; time: number; price: number }[] = [...catalog.map((p) => ({ id: p.productId, time: START, price: p.price })),
      ...changes.map((c) => ({ id: c.product.productId, time: c.time, price: c.product.price }))];
    const priceAt = (id: string, t: number) => versions.filter((v) => v.id === id && v.time <= t).at(-1)!.price;
    let differing = 0;
    for (let i = 0; i < plain.length; i += 7) {
      const [a, b] = [plain[i], changing[i]];
      expect([b.time, b.transactionId, b.isMember]).toEqual([a.time, a.transactionId, a.isMember]);
      expect(b.items.map((x) => [x.productIndex, x.quantity, x.addSupplement])).toEqual(a.items.map((x) => [x.productIndex, x.quantity, x.addSupplement]));
      for (const item of b.items) {
        const m = purchaseMessage(b, item, DEFAULT_RULES);
        expect(m.price).toBe(priceAt(m.product_id, b.time));
        if (m.price !== catalog[item.productIndex].price) differing++;
      }
    }
    expect(differing).toBeGreaterThan(100);
  });

  it('replay exactly from a seed', () => {
    expect(JSON.stringify(run(4, 3000, 50))).toBe(JSON.stringify(run(4, 3000, 50)));
    expect(JSON.stringify(run(4, 3000, 50).flatMap((t) => t.changes))).not.toBe(JSON.stringify(run(5, 3000, 50).flatMap((t) => t.changes)));
  });

  it('are none with perDay 0: the run is the plain one', () => {
    expect(JSON.stringify(run(4, 2000, 0))).toBe(JSON.stringify(plain.slice(0, 2000)));
  });

  it('purchase texts follow the new prices', () => {
    const texts = new PurchaseTexts(DEFAULT_RULES);
    const wrong: string[] = [];
    for (const tx of changing.slice(0, 20_000)) {
      const head = texts.head(tx);
      for (const item of tx.items) {
        const expected = purchaseText(purchaseMessage(tx, item, DEFAULT_RULES));
        const text = texts.purchase(head, tx, item);
        if (text !== expected) wrong.push(text);
      }
    }
    expect(wrong).toEqual([]);
  });
});
