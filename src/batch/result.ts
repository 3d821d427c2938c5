// Query results as plain data: columns with a kind that says how to print them, and rows of JSON
// values. Money stays exact to the cent: DECIMAL columns carry their scale.
import { DuckDBDecimalType, DuckDBDecimalValue, DuckDBTypeId, type DuckDBResultReader, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';

export type ColumnKind = 'integer' | 'decimal' | 'float' | 'boolean' | 'text';

export interface Column {
  name: string;
  kind: ColumnKind;
  /** Digits after the point, for decimal columns (2 for money). */
  scale: number;
}

export type Cell = string | number | boolean | null;

export interface Result {
  columns: Column[];
  rows: Cell[][];
}

const INTEGER_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.BIGINT, DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER, DuckDBTypeId.UBIGINT, DuckDBTypeId.UHUGEINT,
]);

function kindOf(type: DuckDBType): ColumnKind {
  if (INTEGER_TYPES.has(type.typeId)) return 'integer';
  if (type.typeId === DuckDBTypeId.DECIMAL) return 'decimal';
  if (type.typeId === DuckDBTypeId.DOUBLE || type.typeId === DuckDBTypeId.FLOAT) return 'float';
  if (type.typeId === DuckDBTypeId.BOOLEAN) return 'boolean';
  return 'text';
}

function cell(value: DuckDBValue, kind: ColumnKind): Cell {
  if (value === null) return null;
  switch (kind) {
    case 'integer': {
      const n = Number(value as bigint | number);
      // counts past 2^53 would lose digits as numbers: they stay exact as text
      return Number.isSafeInteger(n) ? n : String(value);
    }
    case 'decimal':
      return (value as DuckDBDecimalValue).toDouble();
    case 'float':
    case 'boolean':
      return value as number | boolean;
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

export function toResult(reader: DuckDBResultReader): Result {
  const columns = reader.columnTypes().map((type, i): Column => ({
    name: reader.columnName(i),
    kind: kindOf(type),
    scale: type instanceof DuckDBDecimalType ? type.scale : 0,
  }));
  const rows = reader.getRows().map((row) => row.map((v, i) => cell(v, columns[i].kind)));
  return { columns, rows };
}
