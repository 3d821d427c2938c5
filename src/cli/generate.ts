import { randomInt } from 'node:crypto';
import type { Command } from 'commander';
import { loadCatalog } from '../config/load.js';
import type { GenerateSummary } from '../jobs/generate.js';
import { colorOn } from '../render/color.js';
import { formatCount } from '../render/output.js';
import { configFor, interruptSignal, withTransport } from './context.js';
import { isoTime, oneOf, positiveNumber, wholeNumber } from './values.js';

interface GenerateFlags {
  count?: string;
  seed?: string;
  fast?: boolean;
  rate?: string;
  startTime?: string;
  keys: string;
  partitions: string;
  priceChanges: string;
  durability: string;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('generate the smoothie-café sales stream: the catalog, then purchases and restocks')
    .option('--count <n>', 'transactions to make (default: number_of_sales from the ini; 0 = until Ctrl-C)')
    .option('--seed <n>', 'random seed: the same seed and start time give identical messages (default: random, printed)')
    .option('--fast', 'no sleeping: transaction_time advances by the simulated gaps')
    .option('--rate <tps>', 'transactions per second, instead of the ini\'s random gaps')
    .option('--start-time <iso>', 'event time of the first transaction (default: now)')
    .option('--keys <mode>', 'message keys: product_id or none (none = the original generator)', 'product_id')
    .option('--partitions <n>', 'partitions for the topics it creates', '1')
    .option('--price-changes <n>', 'new product versions (price and/or cogs) per simulated day, published at their time', '0')
    .option('--durability <mode>', 'embedded log: strict = each batch on disk (fsync) before it counts as written; relaxed = faster, a power cut may lose the last records', 'strict')
    .action(async (flags: GenerateFlags, command: Command) => {
      const config = configFor(command);
      const options = {
        count: flags.count === undefined ? config.numberOfSales : wholeNumber('--count', flags.count),
        seed: flags.seed === undefined ? randomInt(2 ** 31) : wholeNumber('--seed', flags.seed),
        rate: flags.rate === undefined ? undefined : positiveNumber('--rate', flags.rate),
        startTime: flags.startTime === undefined ? Date.now() * 1000 : isoTime('--start-time', flags.startTime),
        keys: oneOf('--keys', flags.keys, ['product_id', 'none'] as const),
        partitions: wholeNumber('--partitions', flags.partitions, 1),
        priceChanges: wholeNumber('--price-changes', flags.priceChanges),
        durability: oneOf('--durability', flags.durability, ['strict', 'relaxed'] as const),
      };
      const catalog = loadCatalog(config.catalogPath);
      // the spinner library is loaded only when there is a terminal to spin on
      const spinner = process.stderr.isTTY ? (await import('ora')).default({ text: 'generating…', stream: process.stderr, color: colorOn(process.stderr) ? 'cyan' : false }).start() : undefined;
      // the job (and its random source) loads when the command runs, not at every start-up
      const { runGenerate } = await import('../jobs/generate.js');
      const summary = await withTransport(config, (transport) => runGenerate({
        transport,
        topics: config.topics,
        catalog,
        rules: config.rules,
        fast: Boolean(flags.fast),
        signal: interruptSignal(),
        onProgress: (c) => {
          if (spinner) spinner.text = `${formatCount(c.transactions)} transactions: ${formatCount(c.purchases)} purchases, ${formatCount(c.inventories)} restocks → ${transport.description}`;
        },
        ...options,
      }));
      spinner?.stop();
      printSummary(summary, config.topics);
    });
}

function printSummary(s: GenerateSummary, topics: { products: string; purchases: string; inventories: string }): void {
  const lines = [
    `${s.interrupted ? 'stopped' : 'done'}: ${formatCount(s.transactions)} transactions (seed ${s.seed})`,
    `  ${topics.products}: ${formatCount(s.products)}`,
    `  ${topics.purchases}: ${formatCount(s.purchases)}`,
    `  ${topics.inventories}: ${formatCount(s.inventories)}`,
    `  ${s.seconds.toFixed(2)} s, ${formatCount(Math.round(s.eventsPerSecond))} events/s`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
