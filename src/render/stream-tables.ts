// The live tables of `stream window` and `stream totals` (pure: text in, text out), fitted to
// the terminal: each frame's lines are at most `width` columns, so nothing wraps and a redraw
// knows exactly how many lines to go back over.
import Table from 'cli-table3';
import { formatTimestamp, isoFromMicros } from '../model/timestamp.js';
import type { WindowRow } from '../stream/window-store.js';
import type { WindowTrigger } from '../stream/windowed-sales.js';
import type { ProductTotals } from '../stream/totals.js';
import { formatCount, formatMoney } from './output.js';

export interface FrameSize {
  /** Terminal columns. */
  width: number;
  /** Terminal rows. */
  height: number;
  /** Colour the header (a terminal that takes colour). */
  color: boolean;
}

interface Column<T> {
  head: string;
  align: 'left' | 'right';
  cell: (row: T) => string;
}

// ANSI colour codes take no columns
const ANSI = /\x1b\[[0-9;]*m/g;
export const visibleWidth = (line: string) => line.replace(ANSI, '').length;

/** Cuts a line to `width` visible columns, marking the cut with an ellipsis. */
export function truncate(line: string, width: number): string {
  if (visibleWidth(line) <= width) return line;
  const plain = line.replace(ANSI, '');
  return width <= 1 ? plain.slice(0, width) : `${plain.slice(0, width - 1)}…`;
}

/** No borders: one space between columns, for narrow terminals. */
const PLAIN_CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' ',
};

interface Layout<T> {
  columns: Column<T>[];
  /** Without borders. */
  plain?: boolean;
}

function table<T>({ columns, plain }: Layout<T>, rows: T[], color: boolean): string[] {
  const t = new Table({
    head: columns.map((c) => c.head),
    colAligns: columns.map((c) => c.align),
    style: { head: color ? ['cyan'] : [], border: [], compact: true, ...(plain ? { 'padding-left': 0, 'padding-right': 0 } : {}) },
    ...(plain ? { chars: PLAIN_CHARS } : {}),
  });
  for (const r of rows) t.push(columns.map((c) => c.cell(r)));
  return t.toString().split('\n');
}

/**
 * The first of `layouts` (widest first) whose table fits `width`; when none does, the last one
 * with each line cut to the width.
 */
function fitted<T>(layouts: Layout<T>[], rows: T[], size: FrameSize): string[] {
  for (const layout of layouts) {
    const lines = table(layout, rows, size.color);
    if (lines.every((l) => visibleWidth(l) <= size.width)) return lines;
  }
  return table(layouts.at(-1)!, rows, size.color).map((l) => truncate(l, size.width));
}

/** Counters joined by ' · ', onto as many lines as the width needs (the first ones matter most). */
function wrap(parts: string[], width: number): string[] {
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines.at(-1);
    if (last !== undefined && visibleWidth(last) + 3 + visibleWidth(part) <= width) lines[lines.length - 1] = `${last} · ${part}`;
    else lines.push(part);
  }
  return lines;
}

const heading = (batch: number, width: number) => {
  const rule = '-'.repeat(Math.min(43, width));
  return [rule, `Batch: ${batch}`, rule];
};

/** Short window bounds: `2026-01-01 08:00–08:10` (the end's date only when it differs); `short`: `01-01 08:00–08:10`. */
function windowSpan(r: WindowRow, short = false): string {
  const start = isoFromMicros(r.windowStart);
  const end = isoFromMicros(r.windowEnd);
  const clock = (iso: string) => (iso.endsWith(':00.000Z') ? iso.slice(11, 16) : iso.slice(11, 23));
  const day = (iso: string) => iso.slice(short ? 5 : 0, 10);
  const endText = end.slice(0, 10) === start.slice(0, 10) ? clock(end) : `${day(end)} ${clock(end)}`;
  return `${day(start)} ${clock(start)}–${endText}`;
}

const W = {
  start: { head: 'window_start', align: 'left', cell: (r) => isoFromMicros(r.windowStart) },
  end: { head: 'window_end', align: 'left', cell: (r) => isoFromMicros(r.windowEnd) },
  span: { head: 'window', align: 'left', cell: (r) => windowSpan(r) },
  shortSpan: { head: 'window', align: 'left', cell: (r) => windowSpan(r, true) },
  shortProduct: { head: 'product', align: 'left', cell: (r) => r.productId },
  shortRank: { head: '#', align: 'right', cell: (r) => (r.rank === null ? '' : String(r.rank)) },
  product: { head: 'product_id', align: 'left', cell: (r) => r.productId },
  sales: { head: 'sales', align: 'right', cell: (r) => formatMoney(r.salesCents / 100) },
  drinks: { head: 'drinks', align: 'right', cell: (r) => formatCount(r.drinks) },
  transactions: { head: 'transactions', align: 'right', cell: (r) => formatCount(r.transactions) },
  rank: { head: 'rank', align: 'right', cell: (r) => (r.rank === null ? '' : String(r.rank)) },
} satisfies Record<string, Column<WindowRow>>;

/** Widest first: Spark's columns, then one window column, then fewer figures. */
const WINDOW_LAYOUTS: Layout<WindowRow>[] = [
  { columns: [W.start, W.end, W.product, W.sales, W.drinks, W.transactions, W.rank] },
  { columns: [W.span, W.product, W.sales, W.drinks, W.transactions, W.rank] },
  { columns: [W.span, W.rank, W.product, W.sales, W.drinks] },
  { columns: [W.shortSpan, W.shortRank, W.shortProduct, W.sales], plain: true },
];

/**
 * One trigger of `stream window` as a frame: the batch heading, a counter line (late and
 * malformed always in sight) and as many rows as the height leaves room for.
 */
export function windowFrame(t: WindowTrigger, rate: number, size: FrameSize): string[] {
  const watermark = t.watermark === null ? 'none yet' : isoFromMicros(t.watermark);
  const counters = wrap([`late ${formatCount(t.late)}`, `malformed ${formatCount(t.malformed)}`, `events ${formatCount(t.events)}`, `watermark ${watermark}`, `${formatCount(Math.round(rate))} events/s`], size.width);
  const room = Math.max(3, size.height - 9 - counters.length);
  const more = t.rows.length > room ? [`only showing top ${room} of ${formatCount(t.rows.length)} rows`] : [];
  const lines = [...heading(t.batch, size.width), ...counters, ...fitted(WINDOW_LAYOUTS, t.rows.slice(0, room), size), ...more];
  return lines.map((l) => truncate(l, size.width));
}

export interface TotalsFrameRow {
  productId: string;
  totals: ProductTotals;
  rank: number;
}

const T = {
  product: { head: 'product_id', align: 'left', cell: (r) => r.productId },
  transactions: { head: 'transactions', align: 'right', cell: (r) => formatCount(r.totals.transactions) },
  quantities: { head: 'quantities', align: 'right', cell: (r) => formatCount(r.totals.quantities) },
  sales: { head: 'sales', align: 'right', cell: (r) => formatMoney(r.totals.salesCents / 100) },
  eventTime: { head: 'event_time', align: 'left', cell: (r) => formatTimestamp(r.totals.eventTime) },
  rank: { head: 'rank', align: 'right', cell: (r) => String(r.rank) },
} satisfies Record<string, Column<TotalsFrameRow>>;

const TOTALS_LAYOUTS: Layout<TotalsFrameRow>[] = [
  { columns: [T.product, T.transactions, T.quantities, T.sales, T.eventTime, T.rank] },
  { columns: [T.rank, T.product, T.transactions, T.quantities, T.sales] },
  { columns: [T.rank, T.product, T.sales], plain: true },
];

/** One commit of `stream totals` as a frame. */
export function totalsFrame(t: { batch: number; rows: TotalsFrameRow[]; events: number; malformed: number; partitions: number[] }, size: FrameSize): string[] {
  const counters = wrap([`malformed ${formatCount(t.malformed)}`, `events ${formatCount(t.events)}`, `partitions ${t.partitions.join(',') || 'none'}`], size.width);
  return [...heading(t.batch, size.width), ...counters, ...fitted(TOTALS_LAYOUTS, t.rows, size)].map((l) => truncate(l, size.width));
}
