import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { SalesstreamError } from '../errors.js';
import { registerBatch } from './batch.js';
import { registerDashboard } from './dashboard.js';
import { registerDemo } from './demo.js';
import { registerDrain } from './drain.js';
import { registerGenerate } from './generate.js';
import { registerProduce } from './produce.js';
import { registerServe } from './serve.js';
import { registerStream } from './stream.js';
import { registerTail } from './tail.js';
import { registerTopics } from './topics.js';
import { subcommandList, usageLine } from './usage.js';

/** Every command, registered in one place (each in its own file). */
export function buildProgram(): Command {
  const program = new Command('salesstream')
    .description('a realistic smoothie-café sales stream into Kafka or an embedded log, and its analysis')
    .option('--brokers <list>', 'Kafka bootstrap servers host:port[,…] (env SALESSTREAM_BROKERS); none = the embedded log')
    .option('--data-dir <path>', 'embedded log directory (env SALESSTREAM_DATA_DIR)', undefined)
    .option('--config <path>', 'configuration.ini to read (env SALESSTREAM_CONFIG)')
    .version(packageVersion(), '-V, --version', 'print the version of salesstream');
  registerDemo(program);
  registerDrain(program);
  registerBatch(program);
  registerDashboard(program);
  registerGenerate(program);
  registerProduce(program);
  registerServe(program);
  registerStream(program);
  registerTail(program);
  registerTopics(program);
  (function everyCommand(c: Command) {
    c.exitOverride();
    c.configureOutput({ outputError: (text, write) => write(`${oneLine(text, c)}\n`) });
    c.commands.forEach(everyCommand);
  })(program);
  return program;
}

/** The version in package.json (dist/cli/main.js is two folders below it). */
function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/**
 * Commander's error for a bad flag or command as the one promised line: its own words, any
 * "Did you mean" on the same line, the commands there are when one is unknown, and where help is.
 */
function oneLine(text: string, command: Command): string {
  let line = text.trim().replace(/^error: /, '').split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  if (/^unknown command/.test(line) && command.commands.length) line += ` (commands: ${subcommandList(command)})`;
  return `salesstream: ${usageLine(line, command)}`;
}

/** The one place that exits: user errors print one line, anything else a bug hint. */
export async function main(argv: string[]): Promise<void> {
  // `salesstream tail … | head` closing the pipe is a normal way to stop reading
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  try {
    await buildProgram().parseAsync(argv);
    process.exitCode = 0;
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
  // kafkajs and timers may hold the loop open after a finished command; exit once what was
  // written to a pipe has been handed over, or the end of the output would be lost
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(process.exitCode);
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', () => resolve())));
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // help and version are not errors; commander already printed its one line
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof SalesstreamError) {
    process.stderr.write(`salesstream: ${err.message}\n`);
    return err.exitCode;
  }
  process.stderr.write(`salesstream: unexpected error: ${(err as Error)?.stack ?? String(err)}\nThis is a bug; please report it with the command you ran.\n`);
  return 70;
}
