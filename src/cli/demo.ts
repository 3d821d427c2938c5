import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadCatalog, loadConfig, type LoadedConfig } from '../config/load.js';
import { runStreamWindow } from '../jobs/stream-window.js';
import { isoFromMicros } from '../model/timestamp.js';
import { formatCount, formatMoney, printTable } from '../render/output.js';
import { SlidingWindows } from '../stream/windows.js';
import { EmbeddedTransport } from '../transport/embedded/embedded.js';
import { globalOptions } from './context.js';

const DEMO_TRANSACTIONS = 500;
const DEMO_SEED = 2022;
const MINUTE = 60_000_000;

const never = () => new AbortController().signal;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('a first look on the embedded log: generate a short run into its own data directory and show it')
    .option('--dir <path>', 'the demo\'s own data directory (emptied first)', './.salesstream-demo')
    .action(async (flags: { dir: string }, command: Command) => {
      // the demo's own code loads when it runs, not at every command's start-up
      const [{ default: chalk }, { runGenerate }, { runTail }] = await Promise.all([import('chalk'), import('../jobs/generate.js'), import('../jobs/tail.js')]);
      const say = (text: string) => process.stdout.write(`\n${chalk.bold(text)}\n`);
      const config = loadConfig({ config: globalOptions(command).config });
      const dir = resolve(flags.dir);
      rmSync(dir, { recursive: true, force: true });
      const transport = new EmbeddedTransport(dir);

      say(`1. salesstream --data-dir ${flags.dir} generate --count ${DEMO_TRANSACTIONS} --seed ${DEMO_SEED} --fast`);
      const summary = await runGenerate({
        transport, topics: config.topics, catalog: loadCatalog(config.catalogPath), rules: config.rules,
        seed: DEMO_SEED, count: DEMO_TRANSACTIONS, fast: true, startTime: Date.UTC(2026, 0, 1, 8) * 1000, keys: 'product_id', partitions: 1,
      });
      process.stdout.write(`${formatCount(summary.transactions)} transactions in ${summary.seconds.toFixed(2)} s\n`);

      say('2. salesstream topics');
      const topics = await transport.listTopics();
      printTable(['topic', 'partitions', 'records'], topics.map((t) => [t.name, t.partitions, formatCount(t.records)]), ['left', 'right', 'right']);

      say(`3. salesstream tail ${config.topics.purchases} --from -5`);
      await runTail({
        transport, topics: [config.topics.purchases], follow: false, from: { kind: 'last', count: 5 }, where: [], signal: never(),
        onRecord: (r) => process.stdout.write(`${chalk.dim(`${r.topic}[${r.partition}]@${r.offset}`)} ${chalk.cyan(r.key ?? '')} ${r.value}\n`),
      });

      say('4. salesstream stream window --size 10m --slide 5m --top 5 --until-end');
      await showNewestFullWindow(transport, config);

      // the data stays for more: salesstream --data-dir ./.salesstream-demo batch kpis
      say('5. salesstream batch top25');
      await showTop25(transport, config);
    });
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
  printTable(['rank', 'product_id', 'sales', 'drinks', 'transactions'],
    shown.map((r) => [r.rank, r.productId, formatMoney(r.salesCents / 100), r.drinks, r.transactions]), ['right', 'left', 'right', 'right', 'right']);
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
