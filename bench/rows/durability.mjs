// Issue 14.3: what an acknowledgement on disk costs. `generate --fast` into the embedded log
// with --durability strict (the default: each batch fsynced before it counts as written) against
// --durability relaxed (written to the OS, synced once at the end), same transactions and seed.
import { fastestBusy } from '../lib/context.mjs';

const TRANSACTIONS = { full: 100_000, quick: 10_000 };
const REPEAT = { full: 3, quick: 1 };

export async function measure(ctx) {
  const transactions = ctx.scale(TRANSACTIONS.full, TRANSACTIONS.quick);
  const repeat = ctx.scale(REPEAT.full, REPEAT.quick);
  const startup = await ctx.cliStartupSeconds();
  const args = (mode) => ['--count', String(transactions), '--seed', '7', '--start-time', '2026-01-01T00:00:00Z', '--durability', mode];
  // interleaved; the fastest run of each counts
  const runs = await ctx.interleavedGenerates('durability', { relaxed: args('relaxed'), strict: args('strict') }, repeat);
  const walls = { strict: runs.strict.walls, relaxed: runs.relaxed.walls };
  const figure = fastestBusy(walls.strict, startup);
  const reference = fastestBusy(walls.relaxed, startup);
  const ratio = figure / reference;
  const met = ratio <= 1.5;
  const note = [
    `${transactions.toLocaleString('en-US')} transactions (about ${Math.round(transactions * 1.57).toLocaleString('en-US')} records, one fsync per partition per batch of up to 5,000) into a fresh embedded log under bench/.work`,
    `fastest of ${repeat}, interleaved: strict walls ${walls.strict.map((w) => w.toFixed(2)).join(', ')} s, relaxed ${walls.relaxed.map((w) => w.toFixed(2)).join(', ')} s, minus CLI start-up ${startup.toFixed(2)} s`,
    'the cost depends on the disk: fsync is nearly free on tmpfs and costly on a spinning disk',
  ];
  if (!met) note.push(`missed: strict takes ${ratio.toFixed(1)}× the relaxed time on this disk`);
  return [{
    what: '`generate --fast` into the embedded log, --durability strict, time',
    figure, unit: 's',
    reference: 'the same with --durability relaxed (no fsync per batch)',
    referenceFigure: reference, ratio, goal: '≤ 1.5× its time', met, note: note.join('; '),
  }];
}
