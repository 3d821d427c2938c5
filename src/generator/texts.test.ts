import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from './catalog.js';
import { seededRandom } from './random.js';
import { DEFAULT_RULES, type SalesRules } from './rules.js';
import { purchaseMessage, simulateTransactions } from './simulation.js';
import { PurchaseTexts } from './texts.js';
import { purchaseText } from '../model/messages.js';

const catalog = parseCatalog(readFileSync(resolve(import.meta.dirname, '../../configuration/products.csv'), 'utf8'));

/** Purchases whose text differs from purchaseText of their message, over a seeded run. */
function mismatches(rules: SalesRules, products = catalog): string[] {
  const texts = new PurchaseTexts(rules);
  const wrong: string[] = [];
  for (const tx of simulateTransactions({ catalog: products, rules, random: seededRandom(3), startTime: 1_700_000_000_000_000, count: 20_000 })) {
    const head = texts.head(tx);
    for (const item of tx.items) {
      const expected = purchaseText(purchaseMessage(tx, item, rules));
      const text = texts.purchase(head, tx, item);
      if (text !== expected) wrong.push(`${text} ≠ ${expected}`);
    }
  }
  return wrong;
}

describe('PurchaseTexts', () => {
  it('spells floats as the original generator did (test/fixtures): 0.0, 0.1, 1.99, never 0', () => {
    // the original's records, pretty-printed by Python; compact, they are what purchaseText must write
    const fixture = readFileSync(resolve(import.meta.dirname, '../../test/fixtures/sample_data_small.json'), 'utf8');
    const originals = fixture.split(/\n    },?\n/).map((t) => t.replace(/^\[?\s*\{/, '{').replace(/\n\s*/g, '').replace(/": /g, '":')).filter((t) => t.startsWith('{"'));
    expect(originals).toHaveLength(290);
    for (const text of originals) expect(purchaseText(JSON.parse(text + '}'))).toBe(text + '}');
    expect(originals.join()).toContain('"member_discount":0.0,');
    const texts = new PurchaseTexts(DEFAULT_RULES);
    const all = [...simulateTransactions({ catalog, rules: DEFAULT_RULES, random: seededRandom(5), startTime: 1_700_000_000_000_000, count: 500 })]
      .flatMap((tx) => tx.items.map((item) => texts.purchase(texts.head(tx), tx, item))).join('\n');
    for (const spelling of ['"member_discount":0.0,', '"member_discount":0.1,', '"supplement_price":0.0,', '"supplement_price":1.99,']) expect(all).toContain(spelling);
    expect(all).not.toMatch(/"(member_discount|supplement_price|price|total_purchase)":-?\d+[,}]/);
  });

  it('writes exactly what purchaseText writes, for every purchase of a long run', () => {
    expect(mismatches(DEFAULT_RULES)).toEqual([]);
  });

  it('and with odd rules and product ids that need escaping', () => {
    const odd = catalog.map((p, i) => (i % 2 ? { ...p, productId: `SF "odd"\\\n${i}`, price: i === 1 ? 1e21 : p.price + 0.001 } : p));
    expect(mismatches({ ...DEFAULT_RULES, clubMemberDiscount: 0.15, supplementsCost: 0.3, memberFreq: 5 }, odd)).toEqual([]);
  });
});
