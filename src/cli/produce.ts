import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fsReason } from '../config/folders.js';
import { UsageError } from '../errors.js';
import { produceRecords, recordsFromInput } from '../jobs/produce.js';
import { configFor, withTransport } from './context.js';
import { checkTopicName } from '../model/names.js';
import { oneOf, wholeNumber } from './values.js';

interface ProduceFlags {
  file?: string;
  keyField?: string;
  raw?: boolean;
  partitions: string;
  durability: string;
}

export function registerProduce(program: Command): void {
  program
    .command('produce <topic>')
    .description('send records from a file or standard input: a JSON array, or one JSON object per line')
    .option('--file <path>', 'read from this file instead of standard input')
    .option('--key-field <name>', 'key each record by this field of its value')
    .option('--raw', 'send each input line as it is, unparsed (to test how consumers treat bad data)')
    .option('--partitions <n>', 'partitions if the topic has to be created', '1')
    .option('--durability <mode>', 'embedded log: strict = on disk (fsync) before it counts as written; relaxed = faster, a power cut may lose the last records', 'strict')
    .action(async (topic: string, flags: ProduceFlags, command: Command) => {
      checkTopicName(topic);
      const config = configFor(command);
      const partitions = wholeNumber('--partitions', flags.partitions, 1);
      const durability = oneOf('--durability', flags.durability, ['strict', 'relaxed'] as const);
      const source = flags.file ?? 'standard input';
      let text: string;
      try {
        text = readFileSync(flags.file ?? 0, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read ${source}: ${fsReason(err)}`);
      }
      const records = recordsFromInput({ text, raw: Boolean(flags.raw), keyField: flags.keyField, source });
      await withTransport(config, (transport) => produceRecords(transport, topic, records, partitions, durability));
      process.stderr.write(`produced ${records.length} records to ${topic}\n`);
    });
}
