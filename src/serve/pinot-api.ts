// Pinot's JSON shapes: the broker's query response (and its errors) and the controller's table
// schema. Pure.
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import type { FieldType, ViewSchema } from '../batch/schema.js';
import type { QueryAnswer, QueryFailureKind } from './query.js';

/** Pinot's data types as its responses and schemas name them. */
export type PinotType = 'INT' | 'LONG' | 'FLOAT' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP' | 'STRING' | 'JSON' | 'BIG_DECIMAL';

/**
 * A result column's Pinot type. DECIMAL (money, exact sums) goes out as DOUBLE, a JSON number:
 * Pinot's own tables hold these columns as FLOAT/DOUBLE and its SUM answers DOUBLE, so charting
 * clients (Superset through pinotdb) get numbers; the number is the exact sum's nearest double,
 * which prints as the exact cents for any sum below 2^53 cents.
 */
export function pinotType(type: DuckDBType): PinotType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN: return 'BOOLEAN';
    case DuckDBTypeId.TINYINT: case DuckDBTypeId.SMALLINT: case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT: case DuckDBTypeId.USMALLINT:
      return 'INT';
    case DuckDBTypeId.BIGINT: case DuckDBTypeId.HUGEINT: case DuckDBTypeId.UINTEGER: case DuckDBTypeId.UBIGINT: case DuckDBTypeId.UHUGEINT:
      return 'LONG';
    case DuckDBTypeId.FLOAT: return 'FLOAT';
    case DuckDBTypeId.DOUBLE: case DuckDBTypeId.DECIMAL: return 'DOUBLE';
    case DuckDBTypeId.TIMESTAMP: case DuckDBTypeId.TIMESTAMP_MS: case DuckDBTypeId.TIMESTAMP_S: case DuckDBTypeId.TIMESTAMP_NS: case DuckDBTypeId.TIMESTAMP_TZ:
      return 'TIMESTAMP';
    default:
      return type.alias === 'JSON' ? 'JSON' : 'STRING';
  }
}

/** Pinot's error codes (QueryException) for each way a query can fail. */
export const ERROR_CODES: Record<QueryFailureKind | 'json' | 'table', number> = {
  json: 100, // JSON_PARSING_ERROR
  invalid: 150, // SQL_PARSING_ERROR
  refused: 180, // ACCESS_DENIED
  table: 190, // TABLE_DOES_NOT_EXIST
  execution: 200, // QUERY_EXECUTION_ERROR
  timeout: 250, // EXECUTION_TIMEOUT
  busy: 429, // TOO_MANY_REQUESTS
};

export interface PinotException {
  errorCode: number;
  message: string;
}

/** What the tables a query names hold, for Pinot's statistics fields. */
export interface ScanFigures {
  totalDocs: number;
  /** Broker time of the newest record visible (ms), or null. */
  newest: number | null;
}

/** Fields every broker response carries; pinotdb needs the server counts (it checks them). */
function stats(answered: boolean, figures: ScanFigures, timeUsedMs: number) {
  return {
    numServersQueried: answered ? 1 : 0,
    numServersResponded: answered ? 1 : 0,
    numSegmentsQueried: answered ? 1 : 0,
    numSegmentsProcessed: answered ? 1 : 0,
    numSegmentsMatched: answered ? 1 : 0,
    numConsumingSegmentsQueried: answered ? 1 : 0,
    // DuckDB does not say how many rows it scanned: every row of the tables named is the bound
    numDocsScanned: answered ? figures.totalDocs : 0,
    totalDocs: figures.totalDocs,
    minConsumingFreshnessTimeMs: figures.newest ?? 0,
    timeUsedMs,
  };
}

export function pinotAnswer(answer: QueryAnswer, figures: ScanFigures, timeUsedMs: number): object {
  const types = answer.columns.map((c) => pinotType(c.type));
  return {
    resultTable: {
      dataSchema: { columnNames: answer.columns.map((c) => c.name), columnDataTypes: types },
      // counts past 2^53 come as text (batch's result.ts) and so stay exact
      rows: answer.rows,
    },
    exceptions: [],
    ...stats(true, figures, timeUsedMs),
    numRowsResultSet: answer.rows.length,
    // the row cap cut the result (Pinot's flag for an answer that is not whole)
    partialResult: answer.truncated,
  };
}

export function pinotError(exception: PinotException, timeUsedMs: number, figures: ScanFigures = { totalDocs: 0, newest: null }): object {
  return { exceptions: [exception], ...stats(false, figures, timeUsedMs), numRowsResultSet: 0 };
}

/** How a schema field is typed in Pinot's schema JSON. */
const FIELD_TYPE: Record<FieldType, PinotType> = {
  timestamp: 'TIMESTAMP',
  string: 'STRING',
  money: 'DOUBLE',
  number: 'DOUBLE',
  integer: 'LONG',
  boolean: 'BOOLEAN',
};

/** Metrics are what gets summed (Pinot's metricFieldSpecs); the original schemas' choice. */
const METRICS = new Set(['quantity', 'total_purchase', 'purchase_quantity', 'inventory_level', 'transactions', 'quantities', 'sales', 'stock_quantity']);

/** The controller's GET /tables/{name}/schema for one table. */
export function pinotSchema(name: string, schema: ViewSchema, timeColumn: string): object {
  const spec = (f: ViewSchema['fields'][number]) => ({ name: f.name, dataType: FIELD_TYPE[f.type] });
  const fields = schema.fields;
  return {
    schemaName: name,
    dimensionFieldSpecs: fields.filter((f) => f.name !== timeColumn && !METRICS.has(f.name)).map(spec),
    metricFieldSpecs: fields.filter((f) => f.name !== timeColumn && METRICS.has(f.name)).map(spec),
    dateTimeFieldSpecs: fields.filter((f) => f.name === timeColumn).map((f) => ({
      ...spec(f),
      format: '1:MILLISECONDS:TIMESTAMP',
      granularity: '1:MILLISECONDS',
    })),
  };
}
