import { randomInt } from 'node:crypto';
import { readSync, openSync, closeSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { fsReason } from '../config/folders.js';
import { loadCatalog } from '../config/load.js';
import { UsageError } from '../errors.js';
import { describeSettings, PROFILE_NAMES, resolveSettings, SETTINGS, type GeneratorSettings, type ProfileName } from '../generator/settings.js';
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
  profile?: string;
  truth?: string;
  [setting: string]: string | boolean | undefined;
}

/** commander's name for a flag's value: --late-fraction → lateFraction. */
const flagKey = (flag: string) => flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function registerGenerate(program: Command): void {
  const command = program
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
    .option('--profile <name>', 'classic (the original generator, the default), realistic (opening hours, daily and weekly curves, restock lead time, anomalies) or chaos (realistic + late, duplicate, malformed purchases and hot keys); ini keys and flags override its parts');
  for (const spec of SETTINGS) if (spec.flag) command.option(`${spec.flag} <value>`, spec.help);
  command
    .option('--truth <file>', 'write the ground truth (NDJSON): every late, duplicate and malformed purchase by topic, partition and offset')
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
        ...settingsFrom(flags, config.generator),
        truth: flags.truth === undefined ? undefined : checkTruthPath(flags.truth),
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
        onNotice: (line) => {
          if (spinner) spinner.clear();
          process.stderr.write(`${line}\n`);
        },
        ...options,
      }));
      spinner?.stop();
      printSummary(summary, config.topics, options);
    });
}

/** The profile (flag, else ini, else classic), then the ini's keys, then the flags, checked together. */
function settingsFrom(flags: GenerateFlags, ini: { profile?: ProfileName; values: Partial<GeneratorSettings> }): { profile: ProfileName; settings: GeneratorSettings } {
  const profile = flags.profile === undefined ? ini.profile ?? 'classic' : oneOf('--profile', flags.profile, PROFILE_NAMES);
  const fromFlags: Partial<GeneratorSettings> = {};
  for (const spec of SETTINGS) {
    const text = spec.flag === undefined ? undefined : flags[flagKey(spec.flag)];
    if (typeof text !== 'string') continue;
    const parsed = spec.parse(text);
    if (!parsed.ok) throw new UsageError(`${spec.flag} ${parsed.error}`);
    (fromFlags as Record<string, unknown>)[spec.field] = parsed.value;
  }
  const resolved = resolveSettings(profile, ini.values, fromFlags);
  if (!resolved.ok) throw new UsageError(`generate: ${resolved.error}`);
  return { profile, settings: resolved.value };
}

/**
 * The truth file is made or replaced only when that is safe: its folder exists, and a file already
 * there is empty or an earlier truth file (salesstream replaces only what it wrote).
 */
function checkTruthPath(path: string): string {
  const full = resolve(path);
  try {
    if (!statSync(dirname(full)).isDirectory()) throw new UsageError(`--truth ${path}: ${dirname(full)} is not a folder`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--truth ${path}: its folder ${dirname(full)} cannot be used: ${fsReason(err)}`);
  }
  let stat;
  try {
    stat = statSync(full);
  } catch {
    return full;
  }
  if (!stat.isFile()) throw new UsageError(`--truth ${path} exists and is not a file`);
  const mark = '{"topic":';
  const head = Buffer.alloc(mark.length);
  const fd = openSync(full, 'r');
  const read = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  if (read > 0 && head.subarray(0, read).toString() !== mark.slice(0, read)) {
    throw new UsageError(`--truth ${path} exists and is not a truth file: give another name (salesstream replaces only its own truth files)`);
  }
  return full;
}

function printSummary(s: GenerateSummary, topics: { products: string; purchases: string; inventories: string },
  { truth, profile, settings }: { truth?: string; profile: ProfileName; settings: GeneratorSettings }): void {
  const lostSalesTopic = settings.lostSalesTopic;
  const added = describeSettings(settings);
  const lines = [
    `${s.interrupted ? 'stopped' : 'done'}: ${formatCount(s.transactions)} transactions (seed ${s.seed}${added.length ? `, profile ${profile}: ${added.join(', ')}` : ''})`,
    `  ${topics.products}: ${formatCount(s.products)}`,
    `  ${topics.purchases}: ${formatCount(s.purchases)}`,
    `  ${topics.inventories}: ${formatCount(s.inventories)}`,
  ];
  const { late, duplicates, malformed } = s.injected;
  if (late + duplicates + malformed > 0 || truth !== undefined) {
    lines.push(`  injected into ${topics.purchases}: ${formatCount(late)} late, ${formatCount(duplicates)} duplicates, ${formatCount(malformed)} malformed${truth ? ` (truth: ${truth})` : ''}`);
  }
  const o = s.outOfStock;
  if (o.attempts > 0) {
    lines.push(`  out of stock: ${formatCount(o.attempts)} items wanted, ${formatCount(o.substituted)} taken as another product, ${formatCount(o.lost)} lost sales (${formatCount(o.customersLeft)} customers left with nothing)${lostSalesTopic ? ` → ${lostSalesTopic}` : ''}`);
  }
  if (s.anomalies.length) lines.push(`  anomalies: ${s.anomalies.length}`, ...s.anomalies.map((a) => `    ${a}`));
  lines.push(`  ${s.seconds.toFixed(2)} s, ${formatCount(Math.round(s.eventsPerSecond))} events/s`);
  process.stdout.write(lines.join('\n') + '\n');
}
