// The SQL behind every figure on the dashboard, over serve's live tables (the same view names and
// types as batch's). The tiles, the category pie, the top products and the hourly figures are batch
// kpis's own SQL (src/batch/queries.ts), so the page equals `batch kpis` by construction. Pure.
import { kpisSql } from '../batch/queries.js';

/** The purchases of one UTC day (YYYY-MM-DD, already validated), joined to the catalog as kpis does. */
function dayPurchases(date: string): string {
  return [
    'FROM purchases AS p LEFT JOIN products AS c ON c.product_id = p.product_id',
    `WHERE p.transaction_time >= DATE '${date}' AND p.transaction_time < DATE '${date}' + INTERVAL 1 DAY`,
  ].join('\n');
}

export interface DashboardQueries {
  /** purchases, drinks, sales, gross_profit of the day (one row). */
  tiles: string;
  /** The day's kpis per hour, with the running sum of sales (the cumulative line, the trend's cut-off). */
  hours: string;
  /** The day before's kpis per hour (the trend compares the same hours). */
  previousHours: string;
  /** Sales per hour and drink category (the stacked bars). */
  hourlyByCategory: string;
  /** Drinks per category (the category pie). */
  categories: string;
  /** Drinks with and without fruit (the fruit pie). */
  fruit: string;
  /** kpis per product (the live table: its top 10 and totals). */
  products: string;
}

/** The day before a YYYY-MM-DD day. */
export function previousDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

export function dashboardQueries(date: string): DashboardQueries {
  const hours = (day: string) => `SELECT *, sum(sales) OVER (ORDER BY hour) AS cumulative_sales FROM (${kpisSql({ date: day, by: 'hour' })}) ORDER BY hour`;
  return {
    tiles: kpisSql({ date, by: 'none' }),
    hours: hours(date),
    previousHours: hours(previousDay(date)),
    hourlyByCategory: [
      "SELECT date_trunc('hour', p.transaction_time) AS hour, c.category AS category, sum(p.total_purchase) AS sales",
      dayPurchases(date),
      'GROUP BY ALL ORDER BY 1, 2 NULLS LAST',
    ].join('\n'),
    categories: kpisSql({ date, by: 'category' }),
    fruit: ['SELECT c.contains_fruit AS contains_fruit, sum(p.quantity) AS drinks', dayPurchases(date), 'GROUP BY ALL ORDER BY 1 DESC NULLS LAST'].join('\n'),
    products: kpisSql({ date, by: 'product' }),
  };
}

/** The UTC days that have purchases, oldest first (the date picker; the default day is the last). */
export const DAYS_SQL = 'SELECT DISTINCT strftime(transaction_time, \'%Y-%m-%d\') AS day FROM purchases ORDER BY day';
