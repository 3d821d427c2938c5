// Prints a Result as the Spark console does (table), one JSON object per row per line (json), or
// CSV. Pure formatting: each function returns the text.
import { formatCount } from '../render/output.js';
import type { Cell, Column, Result } from './result.js';

export type OutputFormat = 'table' | 'json' | 'csv';
export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;

function tableText(value: Cell, column: Column): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (column.kind === 'integer') return formatCount(value);
    if (column.kind === 'decimal') return value.toLocaleString('en-US', { minimumFractionDigits: column.scale, maximumFractionDigits: column.scale });
  }
  return String(value);
}

/**
 * Spark's Dataset.show() layout: +---+ rules, every cell right-aligned, thousands separators. Past
 * `maxRows` rows, as the DuckDB CLI does: the first and last halves around a row of dots, and a
 * footer with the total.
 */
export function sparkTable(result: Result, maxRows = Infinity): string {
  const all = result.rows.map((row) => row.map((v, i) => tableText(v, result.columns[i])));
  const capped = all.length > maxRows;
  const head = Math.ceil(maxRows / 2);
  const cells = capped ? [...all.slice(0, head), result.columns.map(() => '…'), ...all.slice(all.length - (maxRows - head))] : all;
  const widths = result.columns.map((c, i) => Math.max(c.name.length, ...cells.map((row) => row[i].length)));
  const rule = `+${widths.map((w) => '-'.repeat(w)).join('+')}+`;
  const line = (texts: string[]) => `|${texts.map((t, i) => t.padStart(widths[i])).join('|')}|`;
  const table = [rule, line(result.columns.map((c) => c.name)), rule, ...cells.map(line), rule].join('\n') + '\n';
  return capped ? `${table}${formatCount(all.length)} rows (${formatCount(maxRows)} shown; --max-rows 0 shows all)\n` : table;
}

export function jsonLines(result: Result): string {
  return result.rows.map((row) => JSON.stringify(Object.fromEntries(row.map((v, i) => [result.columns[i].name, v])))).join('\n') + (result.rows.length ? '\n' : '');
}

function csvField(value: Cell, column: Column): string {
  if (value === null) return '';
  const text = typeof value === 'number' && column.kind === 'decimal' ? value.toFixed(column.scale) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180: a header row, then the rows; fields with commas, quotes or line breaks quoted. */
export function csvText(result: Result): string {
  const header = result.columns.map((c) => csvField(c.name, { ...c, kind: 'text' }));
  return [header, ...result.rows.map((row) => row.map((v, i) => csvField(v, result.columns[i])))].map((r) => r.join(',')).join('\r\n') + '\r\n';
}

export interface Rendered {
  text: string;
  /** For standard error: how many rows a cap left out of json or csv (whose text stays pure data). */
  note?: string;
}

/** The result in a format, with at most `maxRows` rows (Infinity: all). */
export function renderResult(result: Result, format: OutputFormat, maxRows = Infinity): Rendered {
  if (format === 'table') return { text: sparkTable(result, maxRows) };
  const capped = result.rows.length > maxRows;
  const shown = capped ? { ...result, rows: result.rows.slice(0, maxRows) } : result;
  const note = capped ? `showing the first ${formatCount(maxRows)} of ${formatCount(result.rows.length)} rows (--max-rows 0 shows all)` : undefined;
  return { text: format === 'json' ? jsonLines(shown) : csvText(shown), note };
}
