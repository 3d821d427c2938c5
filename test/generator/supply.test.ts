import { describe, expect, it } from 'vitest';
import { parseHours } from '../../src/generator/hours.js';
import { DEFAULT_RULES } from '../../src/generator/rules.js';
import { arrivalMessage, productPicker, purchaseMessage } from '../../src/generator/simulation.js';
import { catalog, simulate, withinBinomial } from './sim.js';

const MINUTE = 60_000_000;
const LEAD = 25 * MINUTE;

describe('supply with a lead time (issue 12 item 4)', () => {
  const hours = parseHours('Mon-Sun 08:00-20:00');
  if (!hours.ok) throw new Error(hours.error);
  const start = Date.UTC(2026, 0, 5, 8) * 1000;
  const txs = simulate({ hours: hours.value, restockLeadTime: LEAD, substituteFreq: 4 }, { seed: 5, startTime: start, count: 150_000 });

  it('sells only what is in stock, and records every wanted item that was not: out-of-stock attempts are exactly the attempts at too little stock', () => {
    // an independent stock ledger, from the messages: the catalog's levels, restocks in, purchases out
    const stock = new Map(catalog.map((p) => [p.productId, p.inventory]));
    let attempts = 0, lost = 0, substituted = 0;
    // failures are gathered, not asserted one by one: expect() in a loop of 200,000 is slow
    const wrong: string[] = [];
    const check = (ok: boolean, what: () => string) => {
      if (!ok && wrong.length < 5) wrong.push(what());
    };
    for (const tx of txs) {
      for (const r of tx.restocks) {
        const m = arrivalMessage(r);
        check(m.existing_level === stock.get(m.product_id), () => `restock ${JSON.stringify(m)} vs ledger ${stock.get(m.product_id)}`);
        stock.set(m.product_id, m.new_level);
      }
      // the items and the attempts that failed, in the order the customer asked
      const missed = tx.outOfStock.slice();
      tx.items.forEach((item, i) => {
        for (; missed.length && missed[0].at === i; missed.shift()) {
          const o = missed[0];
          attempts++;
          const id = catalog[o.productIndex].productId;
          check(stock.get(id)! < o.quantity && o.level === stock.get(id), () => `${tx.transactionTime} ${id}: out of stock at ${stock.get(id)}, wanted ${o.quantity}, says ${o.level}`);
          if (o.substitute === undefined) lost++;
          else substituted++;
        }
        const p = purchaseMessage(tx, item, DEFAULT_RULES);
        check(stock.get(p.product_id)! >= p.quantity, () => `${p.transaction_time} ${p.product_id}: sold ${p.quantity} of ${stock.get(p.product_id)}`);
        stock.set(p.product_id, stock.get(p.product_id)! - p.quantity);
      });
      for (const o of missed) {
        attempts++;
        check(stock.get(catalog[o.productIndex].productId)! < o.quantity, () => `${tx.transactionTime}: out of stock with enough`);
        if (o.substitute === undefined) lost++;
        else substituted++;
      }
    }
    expect(wrong).toEqual([]);
    expect(attempts).toBeGreaterThan(100);
    expect(lost + substituted).toBe(attempts);
    expect(lost).toBe(txs.reduce((n, tx) => n + tx.outOfStock.filter((o) => o.substitute === undefined).length, 0));
    // about substitute_freq/10 of the attempts look for another product (some of those find it empty too)
    expect(substituted / attempts).toBeLessThan(0.4);
    expect(substituted / attempts).toBeGreaterThan(0.15);
  });

  it('delivers each restock one lead time after the sale that ordered it, with the first transaction after that', () => {
    const soldAt = new Map<number, Set<string>>();
    for (const tx of txs) soldAt.set(tx.time, new Set(tx.items.map((i) => i.product.productId)));
    let arrivals = 0;
    const wrong: string[] = [];
    txs.forEach((tx, i) => {
      for (const r of tx.restocks) {
        arrivals++;
        const ok = r.time === r.ordered + LEAD && soldAt.get(r.ordered)?.has(r.product.productId) && r.time <= tx.time && (i === 0 || r.time > txs[i - 1].time)
          && arrivalMessage(r).event_time === new Date(r.time / 1000).toISOString().replace('T', ' ').replace('Z', '000');
        if (!ok && wrong.length < 5) wrong.push(`${JSON.stringify(arrivalMessage(r))} ordered ${r.ordered}, with the transaction at ${tx.transactionTime}`);
      }
      if (tx.items.some((item) => item.restocked)) wrong.push(`${tx.transactionTime}: restocked at once`);
    });
    expect(wrong).toEqual([]);
    expect(arrivals).toBeGreaterThan(1000);
  });
});

describe('--skew (issue 12 item 5)', () => {
  it('gives the k-th most popular product odds ÷ k^skew', () => {
    const start = Date.UTC(2026, 0, 5, 8) * 1000;
    const plain = simulate({}, { seed: 9, startTime: start, count: 60_000 });
    const skewed = simulate({ skew: 1.5 }, { seed: 9, startTime: start, count: 60_000 });
    const shares = (txs: typeof plain) => {
      const counts = new Map<string, number>();
      const items = txs.flatMap((tx) => tx.items);
      for (const i of items) counts.set(i.product.productId, (counts.get(i.product.productId) ?? 0) + 1);
      return { counts, n: items.length };
    };
    const a = shares(plain);
    const b = shares(skewed);
    // the original draw's odds per product: how many of the draws 3…200 pick it
    const pick = productPicker(catalog);
    const odds = new Map<string, number>();
    for (let d = 3; d <= 200; d++) odds.set(catalog[pick(d)].productId, (odds.get(catalog[pick(d)].productId) ?? 0) + 1);
    const ranked = [...odds].sort((x, y) => y[1] - x[1] || catalog.findIndex((p) => p.productId === x[0]) - catalog.findIndex((p) => p.productId === y[0]));
    const weights = ranked.map(([id, c], k) => [id, c / (k + 1) ** 1.5] as const);
    const total = weights.reduce((s, [, w]) => s + w, 0);
    const top = weights.slice(0, 3);
    for (const [id, w] of top) expect(withinBinomial(b.counts.get(id) ?? 0, b.n, w / total, 8), id).toBe(true);
    const top3 = (s: typeof a) => ranked.slice(0, 3).reduce((sum, [id]) => sum + (s.counts.get(id) ?? 0), 0) / s.n;
    expect(top3(b)).toBeGreaterThan(top3(a) * 2);
  });
});
