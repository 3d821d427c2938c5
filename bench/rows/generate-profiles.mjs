// Issue 12: `generate --fast --profile realistic` (hours, curves, restock lead time, anomalies)
// against `--profile classic`, same count and seed, into the embedded log. See bench/README.md.
import { fastestBusy } from '../lib/context.mjs';
import { TRANSACTIONS } from './generate.mjs';

/** Runs of each profile, interleaved (classic, realistic, classic, …); the fastest of each counts. */
const REPEAT = { full: 5, quick: 1 };

export async function measure(ctx) {
  const transactions = ctx.scale(TRANSACTIONS.full, TRANSACTIONS.quick);
  const repeat = ctx.scale(REPEAT.full, REPEAT.quick);
  const startup = await ctx.cliStartupSeconds();
  const args = (profile) => ['--count', String(transactions), '--seed', '1', '--start-time', '2026-01-05T00:00:00Z', '--profile', profile];
  const runs = await ctx.interleavedGenerates('profile', { classic: args('classic'), realistic: args('realistic') }, repeat);
  const walls = { classic: runs.classic.walls, realistic: runs.realistic.walls };
  const summaries = { classic: runs.classic.stdout.trim().split('\n'), realistic: runs.realistic.stdout.trim().split('\n') };
  const figure = fastestBusy(walls.realistic, startup);
  const reference = fastestBusy(walls.classic, startup);
  const ratio = figure / reference;
  const purchases = (lines) => lines.find((l) => /purchases: /.test(l))?.trim() ?? '?';
  const note = [
    `${transactions.toLocaleString('en-US')} transactions asked of each, seed 1, from Monday 2026-01-05 00:00 UTC, embedded log; fastest of ${repeat} interleaved runs each minus CLI start-up ${startup.toFixed(2)} s (realistic walls ${walls.realistic.map((w) => w.toFixed(2)).join(', ')} s; classic ${walls.classic.map((w) => w.toFixed(2)).join(', ')} s)`,
    `classic wrote ${purchases(summaries.classic)}, realistic ${purchases(summaries.realistic)} (customers at an empty shelf buy less)`,
  ];
  if (ratio > 1.3) note.push(`missed: realistic takes ${ratio.toFixed(2)}× classic's time`);
  return [{
    what: '`generate --fast --profile realistic` into the embedded log, time',
    figure, unit: 's',
    reference: '`generate --fast --profile classic`, same count and seed',
    referenceFigure: reference, ratio, goal: '≤ 1.3× its time', met: ratio <= 1.3, note: note.join('; '),
  }];
}
