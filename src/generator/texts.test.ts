import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from './catalog.js';
import { seededRandom } from './random.js';
import { DEFAULT_RULES, type SalesRules } from './rules.js';
import { purchaseMessage, simulateTransactions } from './simulation.js';
import { PurchaseTexts } from './texts.js';

const catalog = parseCatalog(readFileSync(resolve(import.meta.dirname, '../../configuration/products.csv'), 'utf8'));

/** Purchases whose text differs from JSON.stringify of their message, over a seeded run. */
function mismatches(rules: SalesRules, products = catalog): string[] {
  const texts = new PurchaseTexts(rules);
  const wrong: string[] = [];
  for (const tx of simulateTransactions({ catalog: products, rules, random: seededRandom(3), startTime: 1_700_000_000_000_000, count: 20_000 })) {
    const head = texts.head(tx);
    for (const item of tx.items) {
      const expected = JSON.stringify(purchaseMessage(tx, item, rules));
      const text = texts.purchase(head, tx, item);
      if (text !== expected) wrong.push(`${text} ≠ ${expected}`);
    }
  }
  return wrong;
}

describe('PurchaseTexts', () => {
  it('writes exactly what JSON.stringify writes, for every purchase of a long run', () => {
    expect(mismatches(DEFAULT_RULES)).toEqual([]);
  });

  it('and with odd rules and product ids that need escaping', () => {
    const odd = catalog.map((p, i) => (i % 2 ? { ...p, productId: `SF "odd"\\\n${i}`, price: i === 1 ? 1e21 : p.price + 0.001 } : p));
    expect(mismatches({ ...DEFAULT_RULES, clubMemberDiscount: 0.15, supplementsCost: 0.3, memberFreq: 5 }, odd)).toEqual([]);
  });
});
