import { Command, CommanderError } from 'commander';
import { SalesstreamError } from '../errors.js';
import { registerBatch } from './batch.js';
import { registerDemo } from './demo.js';
import { registerDrain } from './drain.js';
import { registerGenerate } from './generate.js';
import { registerProduce } from './produce.js';
import { registerServe } from './serve.js';
import { registerStream } from './stream.js';
import { registerTail } from './tail.js';
import { registerTopics } from './topics.js';

/** Every command, registered in one place (each in its own file). */
export function buildProgram(): Command {
  const program = new Command('salesstream')
    .description('a realistic smoothie-café sales stream into Kafka or an embedded log, and its analysis')
    .option('--brokers <list>', 'Kafka bootstrap servers host:port[,…] (env SALESSTREAM_BROKERS); none = the embedded log')
    .option('--data-dir <path>', 'embedded log directory (env SALESSTREAM_DATA_DIR)', undefined)
    .option('--config <path>', 'configuration.ini to read (env SALESSTREAM_CONFIG)')
    .showHelpAfterError('(see salesstream --help)')
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'salesstream: ')) });
  registerDemo(program);
  registerDrain(program);
  registerBatch(program);
  registerGenerate(program);
  registerProduce(program);
  registerServe(program);
  registerStream(program);
  registerTail(program);
  registerTopics(program);
  program.commands.forEach(function exitOverrideAll(c: Command) {
    c.exitOverride();
    c.commands.forEach(exitOverrideAll);
  });
  program.exitOverride();
  return program;
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
