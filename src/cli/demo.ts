import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import chalk from 'chalk';
import { loadCatalog, loadConfig } from '../config/load.js';
import { runGenerate } from '../jobs/generate.js';
import { runTail } from '../jobs/tail.js';
import { formatCount, printTable } from '../render/output.js';
import { EmbeddedTransport } from '../transport/embedded/embedded.js';
import { globalOptions } from './context.js';

const DEMO_TRANSACTIONS = 500;
const DEMO_SEED = 2022;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('a first look on the embedded log: generate a short run into its own data directory and show it')
    .option('--dir <path>', 'the demo\'s own data directory (emptied first)', './.salesstream-demo')
    .action(async (flags: { dir: string }, command: Command) => {
      const config = loadConfig({ config: globalOptions(command).config });
      const dir = resolve(flags.dir);
      rmSync(dir, { recursive: true, force: true });
      const transport = new EmbeddedTransport(dir);
      const say = (text: string) => process.stdout.write(`\n${chalk.bold(text)}\n`);

      say(`1. salesstream generate --count ${DEMO_TRANSACTIONS} --seed ${DEMO_SEED} --fast   (into ${dir})`);
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
        transport, topics: [config.topics.purchases], follow: false, from: { kind: 'last', count: 5 }, where: [], signal: new AbortController().signal,
        onRecord: (r) => process.stdout.write(`${chalk.dim(`${r.topic}[${r.partition}]@${r.offset}`)} ${chalk.cyan(r.key ?? '')} ${r.value}\n`),
      });
      process.stdout.write(`\nThe demo's data stays in ${dir}: try  salesstream --data-dir ${flags.dir} tail ${config.topics.inventories}\n`);
    });
}
