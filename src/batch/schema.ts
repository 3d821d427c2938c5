// The typed views over the topics (DESIGN §2) and the rules that decide a record is malformed.
// Pure: builds SQL text only. The rules mirror src/model/purchase.ts so that stream and batch skip
// exactly the same records (DESIGN §4: stream and batch must agree), and the valid ranges are
// purchase.ts's own constants.
import { LIMITS } from '../model/purchase.js';
import { YEARS } from '../model/timestamp.js';

export type FieldType = 'timestamp' | 'string' | 'money' | 'number' | 'integer' | 'boolean';

/**
 * required: present, not null, of its type, or the record is malformed.
 * optional: absent or null is fine; present with another type makes the record malformed.
 * loose: never rejects a record; a value of another type reads as NULL.
 */
export type Presence = 'required' | 'optional' | 'loose';

export interface Field {
  name: string;
  type: FieldType;
  presence: Presence;
  /** The largest absolute value a checked number may have (purchase.ts's LIMITS). */
  limit?: number;
}

export interface ViewSchema {
  /** The view's name in SQL. */
  view: string;
  fields: Field[];
  /** Keep only the latest valid record per product_id (a table read from a changelog). */
  latestPerProduct: boolean;
}

export const field = (name: string, type: FieldType, presence: Presence = 'required', limit?: number): Field => ({ name, type, presence, limit });

export const PURCHASES: ViewSchema = {
  view: 'purchases',
  latestPerProduct: false,
  fields: [
    field('transaction_time', 'timestamp'),
    field('transaction_id', 'string', 'optional'),
    field('product_id', 'string'),
    field('price', 'money', 'required', LIMITS.money),
    field('quantity', 'integer', 'required', LIMITS.quantity),
    field('is_member', 'boolean', 'loose'),
    field('member_discount', 'number', 'loose'),
    field('add_supplements', 'boolean', 'loose'),
    field('supplement_price', 'money', 'loose'),
    field('total_purchase', 'money', 'required', LIMITS.money),
  ],
};

export const PRODUCTS: ViewSchema = {
  view: 'products',
  latestPerProduct: true,
  fields: [
    field('event_time', 'timestamp', 'loose'),
    field('product_id', 'string'),
    field('category', 'string', 'loose'),
    field('item', 'string', 'loose'),
    field('size', 'string', 'loose'),
    field('cogs', 'money'),
    field('price', 'money'),
    field('inventory_level', 'integer', 'loose'),
    field('contains_fruit', 'boolean', 'loose'),
    field('contains_veggies', 'boolean', 'loose'),
    field('contains_nuts', 'boolean', 'loose'),
    field('contains_caffeine', 'boolean', 'loose'),
    field('propensity_to_buy', 'integer', 'loose'),
  ],
};

export const INVENTORIES: ViewSchema = {
  view: 'inventories',
  latestPerProduct: false,
  fields: [
    field('event_time', 'timestamp'),
    field('product_id', 'string'),
    field('existing_level', 'integer'),
    field('stock_quantity', 'integer'),
    field('new_level', 'integer'),
  ],
};

export const RUNNING_TOTALS: ViewSchema = {
  view: 'running_totals',
  latestPerProduct: true,
  fields: [
    field('event_time', 'timestamp'),
    field('product_id', 'string'),
    field('transactions', 'integer'),
    field('quantities', 'integer'),
    field('sales', 'money'),
  ],
};

/**
 * The schema as read for these columns: loose fields never decide validity, so one the command
 * does not read is left out of the value struct and DuckDB neither parses nor casts it.
 */
export function schemaForColumns(schema: ViewSchema, columns: readonly string[]): ViewSchema {
  return { ...schema, fields: schema.fields.filter((f) => f.presence !== 'loose' || columns.includes(f.name)) };
}

/** DESIGN §2 spellings, exactly as parseTimestamp accepts them; DuckDB's cast alone is laxer (it reads 24:00:00 as the next day). */
const TIMESTAMP_PATTERN = String.raw`\d{4}-\d{2}-\d{2}[ T]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]00:?00)?`;
/** The original generator's own spelling: most records take this cheap test instead of the regex. */
const WIRE_SHAPE = '____-__-__ __:__:__.______';

const SQL_TYPE: Record<FieldType, string> = {
  timestamp: 'TIMESTAMP',
  string: 'VARCHAR',
  money: 'DECIMAL(18,2)',
  number: 'DOUBLE',
  integer: 'BIGINT',
  boolean: 'BOOLEAN',
};

export function sqlType(type: FieldType): string {
  return SQL_TYPE[type];
}

/**
 * How the reader types each field of the value. Checked fields stay raw JSON text so a string
 * "5.99" is told from the number 5.99 (read_json would convert it); loose fields let DuckDB cast,
 * which gives NULL for what does not fit. Timestamps are read as text: only a JSON string can match
 * the timestamp pattern.
 */
function readType(f: Field): string {
  if (f.type === 'timestamp') return 'VARCHAR';
  if (f.presence !== 'loose') return 'JSON';
  return f.type === 'money' ? 'DOUBLE' : SQL_TYPE[f.type];
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The STRUCT type the reader gives the value, for read_json's columns. */
export function valueStruct(schema: ViewSchema): string {
  return `STRUCT(${schema.fields.map((f) => `${quoteIdent(f.name)} ${readType(f)}`).join(', ')})`;
}

/** The same structure as json_transform wants it, for values stored as JSON text (parquet). */
export function valueTransformSpec(schema: ViewSchema): string {
  return JSON.stringify(Object.fromEntries(schema.fields.map((f) => [f.name, readType(f)])));
}

const raw = (f: Field) => `v.${quoteIdent(f.name)}`;
const text = (f: Field) => `${raw(f)}::VARCHAR`;
const number = (f: Field) => `TRY_CAST(${text(f)} AS DOUBLE)`;
// through DOUBLE, so rounding to cents is toCents', not decimal text rounding
/** toCents' rounding of a double (x × 100, half away from zero), made an exact DECIMAL(18,2). */
const moneyOf = (double: string) => `TRY_CAST(TRY_CAST(round(${double} * 100) AS DECIMAL(16,0)) * 0.01 AS DECIMAL(18,2))`;
const money = (f: Field) => moneyOf(number(f));
const timestamp = (f: Field) => `TRY_CAST(${raw(f)} AS TIMESTAMP)`;

/**
 * True when a present field has its type. Kept apart from the conversion: validity needs only
 * this, and the (dearer) conversion runs for the columns a command reads.
 */
function typeCheck(f: Field): string {
  switch (f.type) {
    case 'timestamp':
      // a CASE, not an OR: DuckDB runs the regex only where the cheap test fails (an OR in a
      // projection evaluates both sides for every row)
      return `CASE WHEN ${raw(f)} LIKE '${WIRE_SHAPE}' THEN ${timestamp(f)} WHEN regexp_full_match(${raw(f)}, '${TIMESTAMP_PATTERN}') THEN ${timestamp(f)} END IS NOT NULL`
        + ` AND substr(${raw(f)}, 12, 2) < '24' AND substr(${raw(f)}, 1, 4) BETWEEN '${YEARS.first}' AND '${YEARS.last}'`;
    case 'string':
      return f.presence === 'required' ? `starts_with(${text(f)}, '"') AND ${text(f)} <> '""'` : `starts_with(${text(f)}, '"')`;
    case 'money':
      // at most what DECIMAL(18,2) holds, without paying for the cast where the value is not read
      return `abs(${number(f)}) ${f.limit === undefined ? '< 1e16' : `<= ${f.limit}`}`;
    case 'number':
      return `${number(f)} IS NOT NULL`;
    case 'integer':
      // 1.5 casts to 2, which then differs from 1.5
      return `TRY_CAST(${number(f)} AS BIGINT) = ${number(f)}${f.limit === undefined ? '' : ` AND abs(${number(f)}) <= ${f.limit}`}`;
    case 'boolean':
      return `${text(f)} IN ('true', 'false')`;
  }
}

/** The field in its SQL type. Only valid records are ever read, so it may assume typeCheck passed. */
function typedValue(f: Field): string {
  if (f.presence === 'loose') {
    // read_json already cast these, giving NULL for what does not fit
    if (f.type === 'timestamp') return timestamp(f);
    return f.type === 'money' ? moneyOf(raw(f)) : raw(f);
  }
  switch (f.type) {
    case 'timestamp': return timestamp(f);
    case 'string': return `json_extract_string(${raw(f)}, '$')`;
    case 'money': return money(f);
    case 'number': return number(f);
    case 'integer': return `TRY_CAST(${number(f)} AS BIGINT)`;
    case 'boolean': return `${text(f)} = 'true'`;
  }
}

/** A record is valid when every checked field passes (purchase.ts's rules for purchases). */
function validity(schema: ViewSchema): string {
  const checks = schema.fields.flatMap((f) => {
    if (f.presence === 'loose') return [];
    return [f.presence === 'required' ? `(${typeCheck(f)})` : `(${raw(f)} IS NULL OR ${typeCheck(f)})`];
  });
  return `coalesce(${checks.join(' AND ') || 'true'}, false)`;
}

/**
 * The SELECT that types and checks every record of a raw relation (columns __partition,
 * __offset, __ts and the value struct v). Only `columns` are kept beside the validity flag
 * (__valid), and the record's position only where asked (the latest per product needs it), so a
 * query over a few columns does not pay for the others.
 */
export function checkedSelect(
  schema: ViewSchema, rawRelation: string, columns: readonly string[] = schema.fields.map((f) => f.name), keepPosition = schema.latestPerProduct,
): string {
  const wanted = schema.fields.filter((f) => columns.includes(f.name));
  const order = keepPosition ? ', __partition, __offset, __ts' : '';
  return `SELECT ${validity(schema)} AS __valid${order}${wanted.map((f) => `, ${typedValue(f)} AS ${quoteIdent(f.name)}`).join('')}\nFROM (${rawRelation})`;
}

/**
 * A view loaded as per-group sums rather than records (what a command needs when it only reads
 * sums): one pass checks, counts and sums, and no table of records is kept.
 */
export interface Summary {
  /** The view's name in SQL. */
  view: string;
  /** The grouping column (a field of the schema). */
  key: string;
  /** Aggregates over a group's valid records, by their output name, e.g. sales: 'sum(total_purchase)'. */
  aggregates: Record<string, string>;
  /** The fields the aggregates read. */
  columns: readonly string[];
}

/**
 * The SELECT that groups a raw relation's records: valid ones by the key, malformed ones all in
 * one group (__valid false), each group with its __records count.
 */
export function summarySelect(schema: ViewSchema, rawRelation: string, summary: Summary): string {
  const columns = [summary.key, ...summary.columns.filter((c) => c !== summary.key)];
  const key = quoteIdent(summary.key);
  const sums = Object.entries(summary.aggregates).map(([name, sql]) => `, ${sql} AS ${quoteIdent(name)}`).join('');
  return `SELECT __valid, CASE WHEN __valid THEN ${key} END AS ${key}${sums}, count(*) AS __records\nFROM (${checkedSelect(schema, rawRelation, columns, false)})\nGROUP BY ALL`;
}

/** The view over a loaded (checked) table: valid records only, the latest per product where asked. */
export function viewSelect(schema: ViewSchema, table: string, columns: readonly string[] = schema.fields.map((f) => f.name)): string {
  const list = schema.fields.filter((f) => columns.includes(f.name)).map((f) => quoteIdent(f.name)).join(', ');
  const latest = schema.latestPerProduct
    ? ' QUALIFY row_number() OVER (PARTITION BY product_id ORDER BY __ts DESC, __partition DESC, __offset DESC) = 1'
    : '';
  return `SELECT ${list} FROM ${table} WHERE __valid${latest}`;
}

/** An empty relation of the raw shape, for a topic with no files yet (read_json refuses an empty list). */
export function emptyRaw(schema: ViewSchema, withFile = false): string {
  return `SELECT NULL::INTEGER AS __partition, NULL::BIGINT AS __offset, NULL::BIGINT AS __ts, NULL::${valueStruct(schema)} AS v${withFile ? ', NULL::VARCHAR AS __file' : ''} WHERE false`;
}

/**
 * Where the invalid records of a raw relation (with __file) are: the first `limit` by partition and
 * offset, and per file the count of lines DuckDB could not read (offset NULL), for unreadable.ts.
 * Run only when a load counted invalid records, so a clean topic never pays for it.
 */
export function invalidPositionsSelect(schema: ViewSchema, rawRelation: string, limit: number): string {
  return [
    `WITH bad AS MATERIALIZED (SELECT __partition, __offset, __file FROM (SELECT ${validity(schema)} AS __valid, __partition, __offset, __file FROM (${rawRelation})) WHERE NOT __valid)`,
    `SELECT * FROM (SELECT __partition, __file, __offset, NULL::BIGINT AS lines FROM bad WHERE __offset IS NOT NULL ORDER BY __partition, __offset LIMIT ${limit})`,
    'UNION ALL',
    'SELECT __partition, __file, NULL, count(*) FROM bad WHERE __offset IS NULL GROUP BY ALL',
  ].join('\n');
}
