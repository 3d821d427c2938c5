import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadCatalog, loadConfig, type LoadedConfig } from '../config/load.js';
import { runStreamWindow } from '../jobs/stream-window.js';
import { isoFromMicros } from '../model/timestamp.js';
import { chalkFor } from '../render/color.js';
import { formatCount, formatMoney, printTable } from '../render/output.js';
import { SlidingWindows } from '../stream/windows.js';
import { EmbeddedTransport } from '../transport/embedded/embedded.js';
import { UsageError } from '../errors.js';
import { globalOptions } from './context.js';
import { prepareDemoDir } from './demo-dir.js';

const DEMO_TRANSACTIONS = 500;
const DEMO_SEED = 2022;
const DEMO_START = Date.UTC(2026, 0, 1, 8) * 1000;
const DEFAULT_DIR = './.salesstream-demo';
const MINUTE = 60_000_000;

const never = () => new AbortController().signal;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('a first look on the embedded log: generate a short run into its own data directory and show it')
    .option('--dir <path>', 'the demo\'s own data directory: made, or emptied when an earlier demo made it (default: --data-dir, else ./.salesstream-demo)')
    .action(async (flags: { dir?: string }, command: Command) => {
      const global = globalOptions(command);
      if (flags.dir !== undefined && global.dataDir !== undefined && resolve(flags.dir) !== resolve(global.dataDir)) {
        throw new UsageError(`--dir ${flags.dir} and --data-dir ${global.dataDir} differ: give one of them`);
      }
      const shownDir = flags.dir ?? global.dataDir ?? DEFAULT_DIR;
      const config = loadConfig({ config: global.config });
      const dir = resolve(shownDir);
      prepareDemoDir(dir, flags.dir !== undefined ? '--dir' : 'data dir');
      // the demo's own code loads when it runs, not at every command's start-up
      const [chalk, { runGenerate }, { runTail }] = await Promise.all([chalkFor(), import('../jobs/generate.js'), import('../jobs/tail.js')]);
      const say = (text: string) => process.stdout.write(`\n${chalk.bold(text)}\n`);
      // each step shows the command that does it, to be typed as it is from the same folder
      const salesstream = commandPrefix(shownDir, global.config, config.brokers.length > 0);
      const transport = new EmbeddedTransport(dir);

      say(`1. ${salesstream} generate --count ${DEMO_TRANSACTIONS} --seed ${DEMO_SEED} --start-time ${isoFromMicros(DEMO_START)} --fast --profile realistic`);
      const summary = await runGenerate({
        transport, topics: config.topics, catalog: loadCatalog(config.catalogPath), rules: config.rules,
        seed: DEMO_SEED, count: DEMO_TRANSACTIONS, fast: true, startTime: DEMO_START, keys: 'product_id', partitions: 1, profile: 'realistic',
      });
      process.stdout.write(`${formatCount(summary.transactions)} transactions in ${summary.seconds.toFixed(2)} s\n`);

      say(`2. ${salesstream} topics`);
      const topics = await transport.listTopics();
      await printTable(['topic', 'partitions', 'records'], topics.map((t) => [t.name, t.partitions, formatCount(t.records)]), ['left', 'right', 'right']);

      say(`3. ${salesstream} tail ${config.topics.purchases} --from -5`);
      await runTail({
        transport, topics: [config.topics.purchases], follow: false, from: { kind: 'last', count: 5 }, where: [], signal: never(),
        onRecord: (r) => process.stdout.write(`${chalk.dim(`${r.topic}[${r.partition}]@${r.offset}`)} ${chalk.cyan(r.key ?? '')} ${r.value}\n`),
      });

      say(`4. ${salesstream} stream window --size 10m --slide 5m --top 5 --until-end`);
      await showNewestFullWindow(transport, config);

      say(`5. ${salesstream} stream enrich --until-end`);
      await showEnriched(transport, config);

      say(`6. ${salesstream} batch top25`);
      await showTop25(transport, config);

      say(`The data stays in ${shownDir}; try next: ${salesstream} batch kpis --by category`);
      say(`Live SQL over the same topics with Pinot's query API (http://127.0.0.1:8099, Ctrl-C stops): ${salesstream} serve`);
      say(`The original Superset dashboard, live in a browser (http://127.0.0.1:8088/, Ctrl-C stops): ${salesstream} dashboard`);
    });
}

/**
 * `salesstream` with the flags that make a typed command read the demo's data: its folder, the
 * same --config, and no brokers when the configuration names some (the demo is embedded).
 */
function commandPrefix(dir: string, config: string | undefined, hasBrokers: boolean): string {
  return ['salesstream', ...(config === undefined ? [] : ['--config', shellWord(config)]), ...(hasBrokers ? ["--brokers ''"] : []), '--data-dir', shellWord(dir)].join(' ');
}

/** A word as a POSIX shell reads it back unchanged. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The newest 10-minute window the demo's data fills end to end, as the Spark job would show it. */
async function showNewestFullWindow(transport: EmbeddedTransport, config: LoadedConfig): Promise<void> {
  const result = await runStreamWindow({
    transport, source: config.topics.purchases, from: 'beginning', untilEnd: true, trigger: 60_000, signal: never(),
    windowing: { windows: SlidingWindows.of(10 * MINUTE, 5 * MINUTE), delay: 10 * MINUTE, idleTimeout: 30_000, top: 5, mode: 'complete' },
    onTrigger: () => undefined, onReport: (line) => process.stderr.write(`${line}\n`),
  });
  const lastEvent = (result?.watermark ?? 0) + 10 * MINUTE;
  const full = result?.rows.filter((r) => r.windowEnd <= lastEvent) ?? [];
  const shown = full.filter((r) => r.windowStart === full[0]?.windowStart);
  if (!shown.length) return;
  process.stdout.write(`window ${isoFromMicros(shown[0].windowStart)} – ${isoFromMicros(shown[0].windowEnd)}, top 5 by sales:\n`);
  await printTable(['rank', 'product_id', 'sales', 'drinks', 'transactions'],
    shown.map((r) => [r.rank, r.productId, formatMoney(r.salesCents / 100), r.drinks, r.transactions]), ['right', 'left', 'right', 'right', 'right']);
}

/** The Flink job's output: each purchase with its product as it was then; the last three shown. */
async function showEnriched(transport: EmbeddedTransport, config: LoadedConfig): Promise<void> {
  const [{ runStreamEnrich }, { runTail }] = await Promise.all([import('../jobs/stream-enrich.js'), import('../jobs/tail.js')]);
  const sink = 'demo.purchases.enriched';
  const result = await runStreamEnrich({
    transport, source: config.topics.purchases, catalog: config.topics.products, group: 'salesstream-enrich', from: 'beginning', untilEnd: true,
    trigger: 1000, join: { delay: 10 * MINUTE, maxWait: 30_000 }, sink, sessionTimeout: 10_000, signal: never(),
    onTrigger: () => undefined, onReport: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${formatCount(result.enriched)} purchases enriched into ${sink}, ${formatCount(result.unmatched)} unmatched; the last three:\n`);
  await runTail({
    transport, topics: [sink], follow: false, from: { kind: 'last', count: 3 }, where: [], signal: never(),
    onRecord: (r) => process.stdout.write(`${r.value}\n`),
  });
}

/** The original Spark batch job, by DuckDB (loaded only here, as by the batch commands). */
async function showTop25(transport: EmbeddedTransport, config: LoadedConfig): Promise<void> {
  const batch = await import('../batch/commands.js');
  const { embeddedSource } = await import('../batch/sources.js');
  const { sparkTable } = await import('../batch/render.js');
  const reply = await batch.batchTop25({
    source: embeddedSource(transport), topics: { ...config.topics, runningTotals: batch.RUNNING_TOTALS_TOPIC },
    catalog: () => loadCatalog(config.catalogPath), warn: (line) => process.stderr.write(`${line}\n`),
  }, 25);
  process.stdout.write(reply.kind === 'rows' ? sparkTable(reply.result) : `${reply.message}\n`);
}
