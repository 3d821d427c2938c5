// Pinot's SQL dialect on DuckDB. Pinot's functions are DuckDB macros (defined once in the
// instance), so the query text goes to DuckDB as the user wrote it; only Pinot's query options
// (`SET key = value;` before the query, `OPTION(...)` after it) are taken off, never passed to the
// engine. Pure.

export interface PinotQuery {
  /** The query DuckDB runs. */
  sql: string;
  /** Pinot query options given with it (accepted; timeoutMs can shorten the time limit). */
  options: Record<string, string>;
}

// comments and blanks DuckDB would skip anyway
const SKIP = String.raw`(?:\s+|--[^\n]*(?:\n|$)|/\*[\s\S]*?\*/)*`;
const VALUE = String.raw`'(?:[^']|'')*'|"(?:[^"]|"")*"|[\w.+-]+`;
const SET_OPTION = new RegExp(String.raw`^${SKIP}SET\s+([A-Za-z_][\w.]*)\s*=\s*(${VALUE})\s*;`, 'i');
const TRAILING_OPTION = new RegExp(String.raw`\s+OPTION\s*\(([^()]*)\)\s*;?\s*$`, 'i');

function unquote(value: string): string {
  if (value.startsWith("'")) return value.slice(1, -1).replaceAll("''", "'");
  if (value.startsWith('"')) return value.slice(1, -1).replaceAll('""', '"');
  return value;
}

/** Pinot's "k1=v1;k2=v2" (the request's queryOptions field) as a map. */
export function parseOptionList(text: string | undefined, separator = ';'): Record<string, string> {
  const options: Record<string, string> = {};
  for (const part of (text ?? '').split(separator)) {
    const eq = part.indexOf('=');
    if (eq > 0) options[part.slice(0, eq).trim()] = unquote(part.slice(eq + 1).trim());
  }
  return options;
}

/** Splits Pinot's query options off a query text. */
export function pinotQuery(text: string, requestOptions?: string): PinotQuery {
  const options = parseOptionList(requestOptions);
  let sql = text;
  for (let m = SET_OPTION.exec(sql); m; m = SET_OPTION.exec(sql)) {
    options[m[1]] = unquote(m[2]);
    sql = sql.slice(m[0].length);
  }
  const trailing = TRAILING_OPTION.exec(sql);
  if (trailing) {
    Object.assign(options, parseOptionList(trailing[1], ','));
    sql = sql.slice(0, trailing.index);
  }
  return { sql: sql.trim(), options };
}

/**
 * Pinot's time values are epoch milliseconds; a TIMESTAMP column is read as its millisecond, so
 * these take either (and timestamp text). A macro cannot branch on a type, but a cast that has no
 * implementation (BIGINT to TIMESTAMP) fails per value, so TRY_CAST sorts the two out at full speed.
 */
const MILLIS = `coalesce(epoch_ms(TRY_CAST(t AS TIMESTAMP)), TRY_CAST(t AS BIGINT))`;

/**
 * Java's SimpleDateFormat patterns (what Pinot takes), for the fixed-width numeric letters
 * yyyy yy MM dd HH hh mm ss SSS SSSSSS, with text in single quotes. DuckDB's strftime and strptime
 * need a constant format, which a macro's parameter is not, so a time is written by replacing each
 * letter group with its value, and read from the positions the pattern gives each field.
 */
const FORMAT_FIELDS: [string, string][] = [
  ['yyyy', '%Y'], ['yy', '%y'], ['MM', '%m'], ['dd', '%d'], ['HH', '%H'], ['hh', '%I'], ['mm', '%M'], ['ss', '%S'], ['SSSSSS', '%f'], ['SSS', '%g'],
];
const PATTERN = `replace(f, '''', '')`;
const FORMATTED = FORMAT_FIELDS.reduce((sql, [letters, spec]) => `replace(${sql}, '${letters}', strftime(ts, '${spec}'))`, PATTERN);
const part = (letters: string, otherwise: number) =>
  `CASE WHEN strpos(${PATTERN}, '${letters}') > 0 THEN CAST(substr(s, strpos(${PATTERN}, '${letters}'), ${letters.length}) AS INTEGER) ELSE ${otherwise} END`;
const PARSED = `make_timestamp(${part('yyyy', 1970)}, ${part('MM', 1)}, ${part('dd', 1)}, ${part('HH', 0)}, ${part('mm', 0)}, ${part('ss', 0)} + ${part('SSS', 0)} / 1000)`;

/** Time units as Pinot names them (DAYS, HOURS, …) → the multiple of a millisecond. */
const UNIT_MILLIS = `CASE upper(rtrim(u, 'Ss')) WHEN 'NANOSECOND' THEN 1e-6 WHEN 'MICROSECOND' THEN 1e-3 WHEN 'MILLISECOND' THEN 1 WHEN 'SECOND' THEN 1000 WHEN 'MINUTE' THEN 60000 WHEN 'HOUR' THEN 3600000 WHEN 'DAY' THEN 86400000 END`;

/** The Pinot functions serve adds to DuckDB's (README lists them). */
export const PINOT_MACROS: string[] = [
  `CREATE MACRO pinot_millis(t) AS ${MILLIS}`,
  `CREATE MACRO pinot_format(ts, f) AS ${FORMATTED}`,
  `CREATE MACRO pinot_parse(s, f) AS ${PARSED}`,
  `CREATE MACRO pinot_unit_millis(u) AS ${UNIT_MILLIS}`,
  // SUMPRECISION(col, precision[, scale]): an exact sum (DECIMAL stays DECIMAL), rounded to scale
  'CREATE MACRO sumprecision(x) AS sum(x), (x, p) AS sum(x), (x, p, s) AS round(sum(x), s)',
  'CREATE MACRO distinctcount(x) AS count(DISTINCT x)',
  // now(): epoch milliseconds, as Pinot's
  'CREATE MACRO now() AS epoch_ms(current_timestamp)',
  // DATETRUNC(unit, time[, inputUnit]): the start of the unit, epoch milliseconds
  `CREATE MACRO datetrunc(unit, t) AS epoch_ms(date_trunc(lower(unit), epoch_ms(pinot_millis(t))))`
  + `, (unit, t, input_unit) AS epoch_ms(date_trunc(lower(unit), epoch_ms(CAST(t * pinot_unit_millis(input_unit) AS BIGINT))))`,
  // ToDateTime(millis, format[, timeZone]) and FromDateTime(text, format): Java date formats
  `CREATE MACRO todatetime(t, f) AS pinot_format(epoch_ms(pinot_millis(t)), f)`
  + `, (t, f, tz) AS pinot_format(timezone(tz, make_timestamptz(pinot_millis(t) * 1000)), f)`,
  `CREATE MACRO fromdatetime(s, f) AS epoch_ms(pinot_parse(s, f))`,
  'CREATE MACRO toepochseconds(t) AS pinot_millis(t) // 1000',
  'CREATE MACRO toepochminutes(t) AS pinot_millis(t) // 60000',
  'CREATE MACRO toepochhours(t) AS pinot_millis(t) // 3600000',
  'CREATE MACRO toepochdays(t) AS pinot_millis(t) // 86400000',
  'CREATE MACRO fromepochseconds(s) AS CAST(s AS BIGINT) * 1000',
  'CREATE MACRO fromepochdays(d) AS CAST(d AS BIGINT) * 86400000',
];
