// The tables serve keeps, named as the original demo's Pinot tables, each typed and checked by
// batch's view schemas (src/batch/schema.ts), so serve and batch skip exactly the same records. Pure.
import { INVENTORIES, PRODUCTS, PURCHASES, RUNNING_TOTALS, field, type ViewSchema } from '../batch/schema.js';

/**
 * demo.purchases.enriched (DESIGN §2, written by `stream enrich`): the purchase joined with its
 * product. The purchase's own fields are checked as purchases are; the product's are loose.
 */
export const PURCHASES_ENRICHED: ViewSchema = {
  view: 'purchasesEnriched',
  latestPerProduct: false,
  fields: [
    field('transaction_time', 'timestamp'),
    field('transaction_timestamp', 'integer', 'loose'),
    field('transaction_id', 'string', 'optional'),
    field('product_id', 'string'),
    field('product_category', 'string', 'loose'),
    field('product_name', 'string', 'loose'),
    field('product_size', 'string', 'loose'),
    field('product_cogs', 'money', 'loose'),
    field('product_price', 'money', 'loose'),
    field('contains_fruit', 'boolean', 'loose'),
    field('contains_veggies', 'boolean', 'loose'),
    field('contains_nuts', 'boolean', 'loose'),
    field('contains_caffeine', 'boolean', 'loose'),
    field('purchase_price', 'money'),
    field('purchase_quantity', 'integer'),
    field('is_member', 'boolean', 'loose'),
    field('member_discount', 'number', 'loose'),
    field('add_supplements', 'boolean', 'loose'),
    field('supplement_price', 'money', 'loose'),
    field('total_purchase', 'money'),
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
    spec('purchases', PURCHASES, topics.purchases, true, 'transaction_time'),
    spec('products', PRODUCTS, topics.products, true, 'event_time'),
    spec('inventories', INVENTORIES, topics.inventories, true, 'event_time'),
    spec('runningTotals', RUNNING_TOTALS, topics.runningTotals, false, 'event_time'),
    spec('purchasesEnriched', PURCHASES_ENRICHED, topics.purchasesEnriched, false, 'transaction_time'),
  ];
}
