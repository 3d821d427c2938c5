import type { Command } from 'commander';
import type { ChalkInstance } from 'chalk';
import { chalkFor } from '../render/color.js';
import { UsageError } from '../errors.js';
import { checkTopicName } from '../model/names.js';
import type { StartFrom } from '../jobs/positions.js';
import { runTail } from '../jobs/tail.js';
import type { LogRecord } from '../transport/transport.js';
import { configFor, interruptSignal, withTransport } from './context.js';
import { duration, isoTime, oneOf, wholeNumber } from './values.js';

interface TailFlags {
  follow?: boolean;
  from?: string;
  count?: string;
  partition?: string;
  where: string[];
  format: string;
}

export function registerTail(program: Command): void {
  program
    .command('tail <topics...>')
    .description('print records of one or more topics (kcat -C): the last 10 by default (-n N: the last N), -f to keep following')
    .option('-f, --follow', 'keep following new records until Ctrl-C')
    .option('--from <where>', 'beginning | end | OFFSET | -N (last N per partition) | @TIME (ISO, or relative like @-10m)')
    .option('-n, --count <n>', 'the last N records (default 10); with --from, stop after N records')
    .option('--partition <p>', 'only this partition')
    .option('--where <field=value>', 'only records whose value has field = value (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--format <format>', 'pretty or json (one envelope per line)', 'pretty')
    .action(async (topics: string[], flags: TailFlags, command: Command) => {
      topics.forEach((t) => checkTopicName(t));
      const config = configFor(command);
      const format = oneOf('--format', flags.format, ['pretty', 'json'] as const);
      const options = {
        from: flags.from === undefined ? undefined : parseFrom(flags.from),
        count: flags.count === undefined ? undefined : wholeNumber('--count', flags.count, 1),
        partition: flags.partition === undefined ? undefined : wholeNumber('--partition', flags.partition),
        where: flags.where.map(parseWhere),
      };
      const print = format === 'json' ? printEnvelope : prettyPrinter(await chalkFor());
      await withTransport(config, (transport) =>
        runTail({
          transport, topics, follow: Boolean(flags.follow), signal: interruptSignal(), onRecord: print,
          onNotice: (line) => process.stderr.write(`salesstream: ${line}\n`), ...options,
        }), 'read');
    });
}

export function parseFrom(text: string): StartFrom {
  if (text === 'beginning') return { kind: 'beginning' };
  if (text === 'end') return { kind: 'end' };
  if (/^\d+$/.test(text)) return { kind: 'offset', offset: Number(text) };
  if (/^-\d+$/.test(text)) return { kind: 'last', count: Number(text.slice(1)) };
  if (text.startsWith('@-')) return { kind: 'time', ms: Date.now() - duration('--from', text.slice(2)) };
  if (text.startsWith('@')) return { kind: 'time', ms: Math.floor(isoTime('--from', text.slice(1)) / 1000) };
  throw new UsageError(`--from ${JSON.stringify(text)} is not accepted: use beginning, end, OFFSET, -N, @TIME (ISO) or @-10m`);
}

function parseWhere(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--where ${JSON.stringify(text)} is not accepted: use field=value`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/**
 * The value as it is on the wire: JSON text is put in as it is (`0.0` stays `0.0`; a parse and
 * stringify would make it `0`), with its line breaks (whitespace there) made spaces, so one
 * envelope stays one line; anything else as a JSON string.
 */
function valueJson(value: string): string {
  try {
    JSON.parse(value);
  } catch {
    return JSON.stringify(value);
  }
  return value.replace(/[\r\n]+/g, ' ');
}

function printEnvelope(r: LogRecord): void {
  const envelope = JSON.stringify({ topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: r.key });
  process.stdout.write(`${envelope.slice(0, -1)},"value":${valueJson(r.value)}}\n`);
}

/** chalk is passed in, loaded only for this format: other commands start without it. */
function prettyPrinter(chalk: ChalkInstance): (r: LogRecord) => void {
  return (r) => {
    const where = chalk.dim(`${r.topic}[${r.partition}]@${r.offset}`);
    const key = r.key === null ? '' : ` ${chalk.cyan(r.key)}`;
    process.stdout.write(`${where}${key} ${r.value}\n`);
  };
}

