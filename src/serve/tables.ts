// The tables serve keeps, named as the original demo's Pinot tables, each typed and checked by
// batch's view schemas (src/batch/schema.ts), so serve and batch skip exactly the same records. Pure.
import { INVENTORIES, PRODUCTS, PURCHASES, RUNNING_TOTALS, field, type Field, type Presence, type ViewSchema } from '../batch/schema.js';

/** A field of `schema` under another name, and loose where asked. */
function renamed(schema: ViewSchema, name: string, as: string, presence?: Presence): Field {
  const f = schema.fields.find((x) => x.name === name);
  if (!f) throw new Error(`${schema.view} has no field ${name}`);
  return { ...f, name: as, presence: presence ?? f.presence };
}
const purchase = (name: string, as = name) => renamed(PURCHASES, name, as);
const product = (name: string, as = `product_${name}`) => renamed(PRODUCTS, name, as, 'loose');

/**
 * demo.purchases.enriched (DESIGN §2, written by `stream enrich`): the purchase joined with its
 * product, in the record's field order. The purchase's own fields are checked as purchases are
 * (PURCHASES' rules); the product's are loose.
 */
export const PURCHASES_ENRICHED: ViewSchema = {
  view: 'purchasesEnriched',
  latestPerProduct: false,
  fields: [
    purchase('transaction_time'),
    field('transaction_timestamp', 'integer', 'loose'),
    purchase('transaction_id'),
    purchase('product_id'),
    product('category'),
    product('item', 'product_name'),
    product('size'),
    product('cogs'),
    product('price'),
    ...['contains_fruit', 'contains_veggies', 'contains_nuts', 'contains_caffeine'].map((name) => product(name, name)),
    purchase('price', 'purchase_price'),
    purchase('quantity', 'purchase_quantity'),
    ...['is_member', 'member_discount', 'add_supplements', 'supplement_price', 'total_purchase'].map((name) => purchase(name)),
  ],
};

export interface TableSpec {
  /** The table's name in SQL and in /tables (Pinot's camelCase names). */
  table: string;
  schema: ViewSchema;
  topic: string;
  /**
   * Listed (and queryable, empty) before its topic exists, as the original demo's Pinot tables
   * were created up front; the others appear with their topic.
   */
  always: boolean;
  /** Pinot's time column for the table (its schema's dateTimeFieldSpecs). */
  timeColumn: string;
  /** Kept summed per hour, product and price too (rollup.ts), for aggregate queries. */
  rollup?: boolean;
}

export interface ServeTopics {
  purchases: string;
  products: string;
  inventories: string;
  runningTotals: string;
  purchasesEnriched: string;
}

export function tableSpecs(topics: ServeTopics): TableSpec[] {
  const spec = (table: string, schema: ViewSchema, topic: string, always: boolean, timeColumn: string): TableSpec => ({ table, schema: { ...schema, view: table }, topic, always, timeColumn });
  return [
    { ...spec('purchases', PURCHASES, topics.purchases, true, 'transaction_time'), rollup: true },
    spec('products', PRODUCTS, topics.products, true, 'event_time'),
    spec('inventories', INVENTORIES, topics.inventories, true, 'event_time'),
    spec('runningTotals', RUNNING_TOTALS, topics.runningTotals, false, 'event_time'),
    spec('purchasesEnriched', PURCHASES_ENRICHED, topics.purchasesEnriched, false, 'transaction_time'),
  ];
}
