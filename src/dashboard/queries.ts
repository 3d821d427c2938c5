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
  /** The day's kpis per hour, with the running sum of sales (the cumulative line). */
  hours: string;
  /** The tiles' figures for the day before up to the time of day of the day's newest purchase (the trend). */
  previous: string;
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
  const before = previousDay(date);
  return {
    tiles: kpisSql({ date, by: 'none' }),
    hours: `SELECT *, sum(sales) OVER (ORDER BY hour) AS cumulative_sales FROM (${kpisSql({ date, by: 'hour' })}) ORDER BY hour`,
    // the tiles' measures as kpisSql writes them, up to the same time of day (none: no purchases today)
    previous: [
      "WITH cut AS (SELECT max(transaction_time) - INTERVAL 1 DAY AS until FROM purchases",
      `  WHERE transaction_time >= DATE '${date}' AND transaction_time < DATE '${date}' + INTERVAL 1 DAY)`,
      "SELECT strftime(any_value(cut.until), '%H:%M:%S') AS until, count(*) AS purchases, sum(p.quantity) AS drinks,",
      '  sum(p.total_purchase) AS sales, sum(p.quantity * (p.price - c.cogs)) AS gross_profit',
      'FROM cut, purchases AS p LEFT JOIN products AS c ON c.product_id = p.product_id',
      `WHERE p.transaction_time >= DATE '${before}' AND p.transaction_time <= cut.until`,
    ].join('\n'),
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

/** The live tables every query here reads: only a change in these changes the figures. */
export const DASHBOARD_TABLES: readonly string[] = ['purchases', 'products'];

/**
 * The UTC days that have purchases, oldest first (the date picker; the default day is the last).
 * Each purchase's day as a DATE (cheap), written out once per day, not once per purchase.
 */
export const DAYS_SQL = "SELECT strftime(day, '%Y-%m-%d') AS day FROM (SELECT DISTINCT CAST(transaction_time AS DATE) AS day FROM purchases) ORDER BY 1";

/** The answers the page is drawn from: the days, and each of dashboardQueries' figures. */
export type AnswerName = 'days' | keyof DashboardQueries;

/**
 * Every answer of a day in one statement, so an update costs one query, not one per figure: one
 * row, a column per answer holding its rows as a JSON array, in the answer's own order (numbered
 * as its query returns them: a window with an empty OVER keeps the order of its input). Each
 * answer is exactly the query above, so the figures stay what serve answers for it.
 */
export function dashboardSql(date: string): string {
  const answers: Record<AnswerName, string> = { days: DAYS_SQL, ...dashboardQueries(date) };
  const column = ([name, sql]: [string, string]) => [
    `(SELECT CAST(to_json(coalesce(list(r ORDER BY r.__row), [])) AS VARCHAR)`,
    `  FROM (SELECT row_number() OVER () AS __row, * FROM (${sql})) AS r) AS "${name}"`,
  ].join('\n');
  return `SELECT\n${Object.entries(answers).map(column).join(',\n')}`;
}
