import Table from 'cli-table3';
import { chalkFor } from './color.js';

/**
 * Data goes to stdout; a table for people, or one JSON object per line for programs. The header is
 * coloured by our one colour rule (chalkFor), not by cli-table3's own styles: those follow their own
 * terminal detection, which turns colour off on any machine with CI set.
 */
export async function printTable(columns: string[], rows: (string | number | null)[][], align: ('left' | 'right')[] = []): Promise<void> {
  const chalk = await chalkFor();
  const table = new Table({ head: columns.map((c) => chalk.cyan(c)), colAligns: columns.map((_, i) => align[i] ?? 'left'), style: { head: [], border: [] } });
  for (const row of rows) table.push(row.map((v) => (v === null ? '' : v)));
  process.stdout.write(table.toString() + '\n');
}

export function printJsonLine(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/** Money with thousands separators and 2 decimals, as the Spark console and the dashboard show it. */
export function formatMoney(value: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
