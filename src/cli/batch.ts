import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { BatchAnswer, BatchContext } from '../batch/commands.js';
import { KPI_GROUPINGS } from '../batch/queries.js';
import { OUTPUT_FORMATS, renderResult, type OutputFormat } from '../batch/render.js';
import type { Result } from '../batch/result.js';
import { batchSource } from '../batch/sources.js';
import { checkFolder } from '../config/folders.js';
import { loadCatalog, type LoadedConfig } from '../config/load.js';
import { UsageError } from '../errors.js';
import { configFor, interruptSignal, withTransport } from './context.js';
import { drainProgress } from './drain.js';
import { oneOf, utcDay, wholeNumber } from './values.js';

interface SourceFlags {
  source?: string;
  format: string;
  maxRows?: string;
}

/** Rows shown on a terminal by default, as the DuckDB CLI shows. */
const TERMINAL_MAX_ROWS = 40;

function withSourceFlags(command: Command): Command {
  return command
    .option('--source <dir>', 'read a folder written by salesstream drain instead of the topics')
    .option('--format <format>', 'table, json (one object per row per line) or csv', 'table')
    .option('--max-rows <n>', `rows to print, 0 for all (default: ${TERMINAL_MAX_ROWS} for a table on a terminal, else all)`);
}

interface Output {
  format: OutputFormat;
  maxRows: number;
}

function output(flags: SourceFlags): Output {
  const format = oneOf('--format', flags.format, OUTPUT_FORMATS);
  const given = flags.maxRows === undefined ? undefined : wholeNumber('--max-rows', flags.maxRows);
  const fallback = format === 'table' && process.stdout.isTTY ? TERMINAL_MAX_ROWS : 0;
  return { format, maxRows: (given ?? fallback) || Infinity };
}

type Commands = typeof import('../batch/commands.js');

/**
 * Sets up where the data comes from, runs the command, and always stops the progress bar. DuckDB
 * is loaded here, on first use, so the other commands start without it.
 */
async function runBatch<T>(command: Command, flags: SourceFlags, work: (commands: Commands, ctx: BatchContext) => Promise<T>): Promise<T> {
  const commands = await import('../batch/commands.js');
  const config: LoadedConfig = configFor(command);
  const sourceDir = flags.source === undefined ? undefined : resolve(flags.source);
  if (sourceDir !== undefined && !statSync(sourceDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--source ${flags.source} is not a folder: give a folder written by salesstream drain --out`);
  }
  // on Kafka, topics are cached under the data dir
  if (config.brokers.length && sourceDir === undefined) checkFolder(config.dataDir, 'data dir', 'write');
  const progress = drainProgress();
  const say = (line: string) => {
    progress.stop();
    process.stderr.write(`${line}\n`);
  };
  try {
    return await withTransport(config, (transport) => work(commands, {
      source: batchSource(transport, {
        sourceDir, dataDir: config.dataDir, brokers: config.brokers, signal: interruptSignal(),
        onProgress: progress.onProgress, onNotice: say,
      }),
      topics: { ...config.topics, runningTotals: commands.RUNNING_TOTALS_TOPIC },
      catalog: () => loadCatalog(config.catalogPath),
      warn: say,
    }), 'read');
  } finally {
    progress.stop();
  }
}

function print(result: Result, out: Output): void {
  const rendered = renderResult(result, out.format, out.maxRows);
  process.stdout.write(rendered.text);
  if (rendered.note) process.stderr.write(`${rendered.note}\n`);
}

function answer(reply: BatchAnswer, out: Output): void {
  if (reply.kind === 'no-data') process.stderr.write(`${reply.message}\n`);
  else print(reply.result, out);
}

export function registerBatch(program: Command): void {
  const batch = program.command('batch').description('DuckDB analytics over the topics: top25, kpis, sql (the original Spark batch job and Pinot queries)');

  withSourceFlags(batch.command('top25'))
    .description('sales and quantity per product, best sellers first (the original Spark batch job)')
    .option('--limit <n>', 'rows to show', '25')
    .action(async (flags: SourceFlags & { limit: string }, command: Command) => {
      const out = output(flags);
      const limit = wholeNumber('--limit', flags.limit, 1);
      answer(await runBatch(command, flags, (c, ctx) => c.batchTop25(ctx, limit)), out);
    });

  withSourceFlags(batch.command('kpis'))
    .description('the daily dashboard: purchases, transactions, drinks, sales, gross_profit and avg_sale (sales per purchase record)')
    .option('--date <day>', 'only this UTC day, YYYY-MM-DD (default: every record)')
    .option('--by <group>', 'one row per none, category, hour or product', 'none')
    .action(async (flags: SourceFlags & { date?: string; by: string }, command: Command) => {
      const out = output(flags);
      const options = { date: flags.date === undefined ? undefined : utcDay('--date', flags.date), by: oneOf('--by', flags.by, KPI_GROUPINGS) };
      answer(await runBatch(command, flags, (c, ctx) => c.batchKpis(ctx, options)), out);
    });

  withSourceFlags(batch.command('sql <query>'))
    .description('any read-only SQL over the views purchases, products, inventories and running_totals')
    .action(async (query: string, flags: SourceFlags, command: Command) => {
      const out = output(flags);
      print(await runBatch(command, flags, (c, ctx) => c.batchSql(ctx, query)), out);
    });
}
