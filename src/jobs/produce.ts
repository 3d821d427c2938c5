import { UsageError } from '../errors.js';
import type { Durability, ProduceRecord, Transport } from '../transport/transport.js';

export interface ProduceInput {
  text: string;
  /** Each non-empty line sent as it is, unparsed. */
  raw: boolean;
  keyField?: string;
  source: string;
}

/**
 * Turns input text into records: a JSON array, or one JSON value per line; with raw, each line
 * as it is (for testing how consumers treat bad data). A line that is not JSON is a usage error
 * naming the line, and nothing is sent.
 */
export function recordsFromInput({ text, raw, keyField, source }: ProduceInput): ProduceRecord[] {
  if (raw && keyField !== undefined) throw new UsageError('--key-field needs JSON records: it cannot be used with --raw');
  if (raw) return text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '').map((value) => ({ key: null, value }));
  const values: unknown[] = [];
  /** Where each value was, for messages: "line 3" or "element 3". */
  let where = (i: number) => `element ${i + 1}`;
  if (text.trimStart().startsWith('[')) {
    try {
      values.push(...(JSON.parse(text) as unknown[]));
    } catch (err) {
      throw new UsageError(`${source}: not a valid JSON array (${(err as Error).message}); use --raw to send lines unparsed`);
    }
  } else {
    const lines: number[] = [];
    where = (i) => `line ${lines[i]}`;
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      lines.push(i + 1);
      try {
        values.push(JSON.parse(line));
      } catch {
        throw new UsageError(`${source} line ${i + 1}: not valid JSON; use --raw to send lines unparsed`);
      }
    });
  }
  const keyOf = (value: unknown, i: number): string | null => {
    if (keyField === undefined) return null;
    const problem = (what: string) => new UsageError(`${source} ${where(i)}: ${what}; --key-field takes a field whose value is a string, number or boolean (nothing was sent)`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw problem('not a JSON object');
    const key = (value as Record<string, unknown>)[keyField];
    if (key === undefined || key === null) throw problem(`no ${JSON.stringify(keyField)} field`);
    if (typeof key === 'object') throw problem(`${JSON.stringify(keyField)} is ${Array.isArray(key) ? 'an array' : 'an object'}`);
    return String(key);
  };
  return values.map((value, i) => ({ key: keyOf(value, i), value: JSON.stringify(value), json: typeof value === 'object' && value !== null }));
}

/** Sends records to a topic, creating it when missing. */
export async function produceRecords(transport: Transport, topic: string, records: ProduceRecord[], partitions: number, durability?: Durability): Promise<void> {
  await transport.createTopic(topic, partitions);
  const writer = await transport.writer({ durability });
  try {
    await writer.send(topic, records);
  } finally {
    await writer.close();
  }
}
