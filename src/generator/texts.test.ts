import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../generator/catalog.js';
import { seededRandom } from '../generator/random.js';
import { DEFAULT_RULES } from '../generator/rules.js';
import { simulateSales } from '../generator/simulation.js';
import { purchaseJson, type PurchaseMessage } from './messages.js';

describe('purchaseJson', () => {
  it('writes exactly what JSON.stringify writes, for every purchase of a long run and odd values', () => {
    const catalog = parseCatalog(readFileSync(resolve(import.meta.dirname, '../../configuration/products.csv'), 'utf8'));
    const purchases: PurchaseMessage[] = [];
    for (const step of simulateSales({ catalog, rules: DEFAULT_RULES, random: seededRandom(3), startTime: 1_700_000_000_000_000, count: 20_000 })) {
      for (const e of step.events) if (e.kind === 'purchase') purchases.push(e.value);
    }
    purchases.push({ ...purchases[0], product_id: 'odd "id"\\\n', price: 1e21, total_purchase: -0.1, member_discount: 0.15 });
    const different = purchases.filter((p) => purchaseJson(p) !== JSON.stringify(p));
    expect(different).toEqual([]);
  });
});
