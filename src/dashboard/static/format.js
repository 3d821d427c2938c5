// How the page writes numbers and times: as the original dashboard did on the tiles and axes
// ($2,095; 352; $1K), exactly in tooltips and the table ($2,094.74). Pure.

const WHOLE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const EXACT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 20 });
const DOLLARS = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0, minimumFractionDigits: 0 });
const CENTS = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const COMPACT = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 });

/** 352, 12,345 */
export const count = (n) => WHOLE.format(n);
/** Every digit: 12345.5 → 12,345.5 */
export const exactCount = (n) => EXACT.format(n);
/** $2,095 (whole dollars, as the tiles) */
export const dollars = (n) => DOLLARS.format(n);
/** $2,094.74 */
export const exactDollars = (n) => CENTS.format(n);
/** Axis labels: $250, $1K, $2.5K */
export const axisDollars = (n) => COMPACT.format(n);

/** A tile's figure, short or exact. */
export const figure = (kind, n, exact = false) => (kind === 'money' ? (exact ? exactDollars : dollars) : (exact ? exactCount : count))(n);

/** 'YYYY-MM-DD HH:…' → 8am, 12pm, 7pm */
export function hourLabel(time) {
  const h = Number(String(time).slice(11, 13));
  return `${h % 12 || 12}${h < 12 ? 'am' : 'pm'}`;
}

/** 'YYYY-MM-DD HH:…' → 'HH:00–HH:59' */
export function hourRange(time) {
  const h = String(time).slice(11, 13);
  return `${h}:00–${h}:59`;
}

/** An age in milliseconds, short: 800 ms → "now", 42 s, 5 min, 3 h, 2 days. */
export function age(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 1) return 'now';
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h`;
  const days = Math.floor(s / 86400);
  return `${days} day${days === 1 ? '' : 's'}`;
}

/** The change from `previous` as a signed percentage: +3.6 %, −12 % (none when previous is 0). */
export function change(value, previous) {
  if (!previous) return '';
  const pct = ((value - previous) / Math.abs(previous)) * 100;
  const text = Math.abs(pct) < 10 ? Math.abs(pct).toFixed(1) : Math.abs(pct).toFixed(0);
  return `${pct >= 0 ? '+' : '−'}${text} %`;
}
