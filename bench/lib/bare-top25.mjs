// The bare DuckDB top-25 query, the reference of the batch rows: one text for the timed run
// (bench/batch-bare.mjs) and the profile of a missed row (bench/batch-profile.mjs).
/** `source`: a table function over the purchases' envelope lines, e.g. read_ndjson('…/*.ndjson'). */
export function bareTop25Sql(source) {
  return `SELECT value.product_id AS product_id, round(sum(value.total_purchase), 2) AS sales, sum(value.quantity) AS quantity FROM ${source} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 25`;
}
