// Issue 14.3: what an acknowledgement on disk costs. `generate --fast` into the embedded log
// with --durability strict (the default: each batch fsynced before it counts as written) against
// --durability relaxed (written to the OS, synced once at the end), same transactions and seed.
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { CommandError } from '../lib/context.mjs';

const TRANSACTIONS = { full: 100_000, quick: 10_000 };
const REPEAT = { full: 3, quick: 1 };

export async function measure(ctx) {
  const transactions = ctx.scale(TRANSACTIONS.full, TRANSACTIONS.quick);
  const repeat = ctx.scale(REPEAT.full, REPEAT.quick);
  const startup = await ctx.cliStartupSeconds();
  const walls = { strict: [], relaxed: [] };
  // interleaved, so drift on the machine hits both alike; the fastest run of each counts
  for (let i = 0; i < repeat; i++) {
    for (const mode of ['relaxed', 'strict']) {
      const dir = ctx.dir(`durability-${mode}-${i}`);
      const r = await ctx.salesstream(['--data-dir', join(dir, 'log'), 'generate', '--fast', '--count', String(transactions),
        '--seed', '7', '--start-time', '2026-01-01T00:00:00Z', '--durability', mode], { cwd: dir });
      if (r.code !== 0) throw new CommandError(`salesstream generate --durability ${mode}`, r);
      walls[mode].push(r.seconds);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const busy = (mode) => Math.max(Math.min(...walls[mode]) - startup, 1e-3);
  const figure = busy('strict');
  const reference = busy('relaxed');
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
