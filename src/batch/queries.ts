// The SQL behind batch top25 and batch kpis, over the typed views of schema.ts. Pure.
import type { Summary } from './schema.js';

/** Columns of `purchases` each command reads: loading only those keeps big loads lean. */
export const TOP_COLUMNS = ['product_id', 'quantity', 'total_purchase'] as const;
export const KPI_COLUMNS = ['transaction_time', 'transaction_id', 'product_id', 'price', 'quantity', 'total_purchase'] as const;

/** What top25 reads: sales and quantity per product, summed while the purchases are loaded. */
export const PRODUCT_SALES: Summary = {
  view: 'product_sales',
  key: 'product_id',
  aggregates: { sales: 'sum(total_purchase)', quantity: 'sum(quantity)' },
  columns: TOP_COLUMNS,
};

/** The original Spark job: sales and quantity per product, best sellers first. */
export function top25Sql(limit: number): string {
  return [
    'SELECT product_id, sales, quantity',
    `FROM ${PRODUCT_SALES.view}`,
    'ORDER BY sales DESC, product_id',
    `LIMIT ${Math.trunc(limit)}`,
  ].join('\n');
}

export type KpiGrouping = 'none' | 'category' | 'hour' | 'product';
export const KPI_GROUPINGS = ['none', 'category', 'hour', 'product'] as const;

const GROUP_COLUMN: Record<Exclude<KpiGrouping, 'none'>, string> = {
  category: 'c.category AS category',
  hour: "date_trunc('hour', p.transaction_time) AS hour",
  product: 'p.product_id AS product_id',
};

export interface KpiOptions {
  /** One UTC day, YYYY-MM-DD (already validated). */
  date?: string;
  by: KpiGrouping;
}

/**
 * The original demo's daily dashboard figures. avg_sale is sales per purchase record (line item),
 * as the original dashboard showed it, its data having no transaction ids; it is computed from
 * integer cents so it rounds as a plain JS computation does.
 */
export function kpisSql({ date, by }: KpiOptions): string {
  const group = by === 'none' ? [] : [GROUP_COLUMN[by]];
  return [
    `SELECT ${[
      ...group,
      'count(*) AS purchases',
      'CASE WHEN count(p.transaction_id) > 0 THEN count(DISTINCT p.transaction_id) END AS transactions',
      'sum(p.quantity) AS drinks',
      'sum(p.total_purchase) AS sales',
      'sum(p.quantity * (p.price - c.cogs)) AS gross_profit',
      'CAST(round(CAST(sum(p.total_purchase) * 100 AS DOUBLE) / count(*)) / 100 AS DECIMAL(18,2)) AS avg_sale',
    ].join(', ')}`,
    'FROM purchases AS p LEFT JOIN products AS c ON c.product_id = p.product_id',
    ...(date ? [`WHERE p.transaction_time >= DATE '${date}' AND p.transaction_time < DATE '${date}' + INTERVAL 1 DAY`] : []),
    ...(by === 'none' ? [] : ['GROUP BY ALL', 'ORDER BY 1 NULLS LAST']),
  ].join('\n');
}
