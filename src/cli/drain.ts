import { resolve } from 'node:path';
import type { Command } from 'commander';
import { progressLine, type DrainProgress } from '../batch/drain/progress.js';
import { drainTopic, type DrainSummary } from '../batch/drain/drain.js';
import { checkFolder } from '../config/folders.js';
import { checkTopicName } from '../model/names.js';
import { formatCount } from '../render/output.js';
import { configFor, interruptSignal, withTransport } from './context.js';
import { oneOf } from './values.js';

interface DrainFlags {
  out: string;
  format: string;
}

/**
 * A progress bar with records/s on standard error, on a terminal only (nothing in pipes and logs).
 * One line redrawn in place, cut to the terminal's width so it never wraps.
 */
export function drainProgress(): { onProgress?: (p: DrainProgress) => void; stop: () => void } {
  const err = process.stderr;
  if (!err.isTTY) return { stop: () => undefined };
  let shown = false;
  return {
    onProgress: (p) => {
      shown = true;
      err.write(`\r${progressLine(p).slice(0, Math.max((err.columns || 80) - 1, 20))}\x1b[K`);
    },
    // clears the line, so a message can take its place; the next progress draws it again
    stop: () => {
      if (shown) err.write('\r\x1b[K');
      shown = false;
    },
  };
}

export function registerDrain(program: Command): void {
  program
    .command('drain <topics...>')
    .description('copy topics into files DuckDB reads (from the beginning, then only what is new), for batch --source')
    .option('--out <dir>', 'folder to drain into', './drained')
    .option('--format <format>', 'ndjson or parquet', 'ndjson')
    .action(async (topics: string[], flags: DrainFlags, command: Command) => {
      topics.forEach((t) => checkTopicName(t));
      const config = configFor(command);
      const format = oneOf('--format', flags.format, ['ndjson', 'parquet'] as const);
      const out = resolve(flags.out);
      const signal = interruptSignal();
      await withTransport(config, async (transport) => {
        // every topic must exist before any is drained: a typo fails fast and changes nothing
        for (const topic of topics) await transport.partitions(topic);
        checkFolder(out, '--out', 'write');
        for (const topic of topics) {
          const progress = drainProgress();
          let summary: DrainSummary;
          try {
            const onNotice = (text: string) => {
              progress.stop();
              process.stderr.write(`${text}\n`);
            };
            summary = await drainTopic({ transport, out, format, signal, onProgress: progress.onProgress, onNotice }, topic);
          } finally {
            progress.stop();
          }
          process.stdout.write(summaryLine(summary, out) + '\n');
          if (summary.interrupted) break;
        }
      }, 'read');
    });
}

function summaryLine(s: DrainSummary, out: string): string {
  const rate = s.seconds > 0 ? Math.round((s.records + s.rejected) / s.seconds) : 0;
  const rejected = s.rejected ? `${formatCount(s.rejected)} rejected as not JSON (kept in ${s.rejectsPath})` : '0 rejected';
  return `${s.interrupted ? 'stopped: ' : ''}${s.topic}: +${formatCount(s.records)} records, ${rejected} → ${resolve(out, s.topic)} ` +
    `(${formatCount(s.totalRecords)} records in all; ${s.seconds.toFixed(2)} s, ${formatCount(rate)} records/s)`;
}
