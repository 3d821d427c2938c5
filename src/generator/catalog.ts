import { createRequire } from 'node:module';
import { UsageError } from '../errors.js';

// loaded on first use, not at start-up: most commands never read the catalog
const requireCjs = createRequire(import.meta.url);
let parse: typeof import('csv-parse/sync').parse | undefined;

/** One catalog row, as `configuration/products.csv` describes it. */
export interface CatalogProduct {
  productId: string;
  category: string;
  item: string;
  size: string;
  cogs: number;
  price: number;
  inventory: number;
  containsFruit: boolean;
  containsVeggies: boolean;
  containsNuts: boolean;
  containsCaffeine: boolean;
  /** `_RangeWeight`: the cumulative weight, published as propensity_to_buy. */
  rangeWeight: number;
}

const COLUMNS = ['ID', 'Category', 'Item', 'Size', 'COGS', 'Price', 'Inventory', 'ContainsFruit',
  'ContainsVeggies', 'ContainsNuts', 'ContainsCaffeine', '_RangeWeight'] as const;

/** Parses the catalog CSV text (pure; the caller reads the file) and says exactly what is wrong. */
export function parseCatalog(csvText: string, source = 'products.csv'): CatalogProduct[] {
  let rows: Record<string, string>[];
  try {
    parse ??= (requireCjs('csv-parse/sync') as typeof import('csv-parse/sync')).parse;
    rows = parse(csvText, { columns: true, skip_empty_lines: true, trim: true });
  } catch (err) {
    throw new UsageError(`${source}: not valid CSV (${(err as Error).message})`);
  }
  if (rows.length === 0) throw new UsageError(`${source}: no products`);
  const missing = COLUMNS.filter((c) => !(c in rows[0]));
  if (missing.length) throw new UsageError(`${source}: missing column(s) ${missing.join(', ')}`);
  const products = rows.map((row, i) => {
    const where = `${source} line ${i + 2}`;
    const num = (col: string): number => {
      const v = Number(row[col]);
      if (row[col] === '' || !Number.isFinite(v)) throw new UsageError(`${where}: ${col} ${JSON.stringify(row[col])} is not a number`);
      return v;
    };
    const bool = (col: string): boolean => {
      const v = row[col].toUpperCase();
      if (v !== 'TRUE' && v !== 'FALSE') throw new UsageError(`${where}: ${col} must be TRUE or FALSE`);
      return v === 'TRUE';
    };
    return {
      productId: row.ID,
      category: row.Category,
      item: row.Item,
      size: row.Size,
      cogs: num('COGS'),
      price: num('Price'),
      inventory: num('Inventory'),
      containsFruit: bool('ContainsFruit'),
      containsVeggies: bool('ContainsVeggies'),
      containsNuts: bool('ContainsNuts'),
      containsCaffeine: bool('ContainsCaffeine'),
      rangeWeight: num('_RangeWeight'),
    };
  });
  for (let i = 1; i < products.length; i++) {
    if (products[i].rangeWeight <= products[i - 1].rangeWeight) {
      throw new UsageError(`${source}: _RangeWeight must increase row by row (${products[i].productId})`);
    }
  }
  return products;
}
