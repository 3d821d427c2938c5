import type { Command } from 'commander';
import { formatCount, printJsonLine, printTable } from '../render/output.js';
import { configFor, withTransport } from './context.js';
import { UsageError } from '../errors.js';
import { checkTopicName } from '../model/names.js';
import { subcommandList, usageLine } from './usage.js';
import { oneOf, wholeNumber } from './values.js';

/** Kafka's own topics, and the state changelogs stream jobs keep (named as Kafka Streams names them). */
export function isInternalTopic(name: string): boolean {
  return name.startsWith('__') || name.endsWith('-changelog');
}

export function registerTopics(program: Command): void {
  const topics = program.command('topics').description('list, create and delete topics');
  topics
    .command('list', { isDefault: true })
    .description('list topics with partitions and record counts')
    .option('--format <format>', 'table or json', 'table')
    .option('--all', "also internal topics: Kafka's (__…) and the state changelogs of stream jobs (…-changelog)")
    // `topics lst` reaches this default command as an argument: say it is an unknown command
    .allowExcessArguments()
    .action(async (flags: { format: string; all?: boolean }, command: Command) => {
      if (command.args.length) throw new UsageError(usageLine(`unknown command '${command.args[0]}' (commands: ${subcommandList(topics)})`, topics));
      const format = oneOf('--format', flags.format, ['table', 'json'] as const);
      const list = await withTransport(configFor(command), (t) => t.listTopics((name) => flags.all || !isInternalTopic(name)), 'read');
      if (format === 'json') list.forEach((t) => printJsonLine(t));
      else await printTable(['topic', 'partitions', 'records'], list.map((t) => [t.name, t.partitions, formatCount(t.records)]), ['left', 'right', 'right']);
    });
  topics
    .command('create <name>')
    .description('create a topic')
    .option('--partitions <n>', 'number of partitions', '1')
    .action(async (name: string, flags: { partitions: string }, command: Command) => {
      checkTopicName(name);
      const partitions = wholeNumber('--partitions', flags.partitions, 1);
      const asked = command.getOptionValueSource('partitions') !== 'default';
      await withTransport(configFor(command), async (t) => {
        if (await t.createTopic(name, partitions)) return process.stderr.write(`created ${name} with ${partitions} partition(s)\n`);
        const existing = (await t.partitions(name)).length;
        if (asked && existing !== partitions) {
          throw new UsageError(`${name} already exists with ${existing} partition(s), not ${partitions}: delete it first (salesstream topics delete ${name}) to make it again`);
        }
        process.stderr.write(`${name} already exists with ${existing} partition(s)\n`);
      });
    });
  topics
    .command('delete <name>')
    .description('delete a topic and its records')
    .action(async (name: string, _flags: unknown, command: Command) => {
      checkTopicName(name);
      await withTransport(configFor(command), (t) => t.deleteTopic(name));
      process.stderr.write(`deleted ${name}\n`);
    });
}
