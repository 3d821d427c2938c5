import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from './catalog.js';

describe('parseCatalog', () => {
  it('reads the 27 products with cumulative weights 3 … 200', () => {
    const catalog = parseCatalog(readFileSync(resolve(import.meta.dirname, '../../configuration/products.csv'), 'utf8'));
    expect(catalog).toHaveLength(27);
    expect(catalog[0]).toEqual({ productId: 'CS01', category: 'Classic Smoothies', item: 'Sunrise Sunset', size: '24 oz.', cogs: 1.5, price: 4.99, inventory: 75,
      containsFruit: true, containsVeggies: false, containsNuts: false, containsCaffeine: false, rangeWeight: 3 });
    expect(catalog.at(-1)!.rangeWeight).toBe(200);
  });

  it('says which column or value is wrong', () => {
    expect(() => parseCatalog('ID,Category\nX,Y\n')).toThrow(/missing column\(s\) Item, Size/);
    const header = 'ID,Category,Item,Size,COGS,Price,Inventory,ContainsFruit,ContainsVeggies,ContainsNuts,ContainsCaffeine,_RangeWeight\n';
    expect(() => parseCatalog(header + 'A,c,i,s,abc,1,1,TRUE,FALSE,FALSE,FALSE,3\n')).toThrow(/line 2: COGS "abc" is not a number/);
    expect(() => parseCatalog(header + 'A,c,i,s,1,1,1,yes,FALSE,FALSE,FALSE,3\n')).toThrow(/ContainsFruit must be TRUE or FALSE/);
    expect(() => parseCatalog(header + 'A,c,i,s,1,1,1,TRUE,FALSE,FALSE,FALSE,3\nB,c,i,s,1,1,1,TRUE,FALSE,FALSE,FALSE,3\n')).toThrow(/must increase/);
  });
});
