// The products view when the products topic has no valid record: the catalog the generator
// publishes (configuration/products.csv), in the view's columns and types. Pure.
import type { CatalogProduct } from '../generator/catalog.js';
import { productMessage } from '../generator/simulation.js';
import { PRODUCTS, quoteIdent, quoteString, sqlType } from './schema.js';

function literal(value: string | number | boolean | null, type: string): string {
  if (value === null) return `NULL::${type}`;
  if (typeof value === 'string') return `${quoteString(value)}::${type}`;
  return `${String(value)}::${type}`;
}

export function catalogSelect(catalog: CatalogProduct[]): string {
  // the message the generator publishes for the product, with no event time
  const values = (p: CatalogProduct): Record<string, string | number | boolean | null> => ({ ...productMessage(p, ''), event_time: null });
  const rows = catalog.map((p) => {
    const v = values(p);
    return `(${PRODUCTS.fields.map((f) => literal(v[f.name], sqlType(f.type))).join(', ')})`;
  });
  return `SELECT * FROM (VALUES ${rows.join(', ')}) AS catalog(${PRODUCTS.fields.map((f) => quoteIdent(f.name)).join(', ')})`;
}
