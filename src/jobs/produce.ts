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
  if (raw) return text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '').map((value) => ({ key: null, value }));
  const values: unknown[] = [];
  if (text.trimStart().startsWith('[')) {
    try {
      values.push(...(JSON.parse(text) as unknown[]));
    } catch (err) {
      throw new UsageError(`${source}: not a valid JSON array (${(err as Error).message}); use --raw to send lines unparsed`);
    }
  } else {
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        values.push(JSON.parse(line));
      } catch {
        throw new UsageError(`${source} line ${i + 1}: not valid JSON; use --raw to send lines unparsed`);
      }
    });
  }
  return values.map((value) => ({ key: keyOf(value, keyField), value: JSON.stringify(value), json: typeof value === 'object' && value !== null }));
}

function keyOf(value: unknown, keyField?: string): string | null {
  if (!keyField || typeof value !== 'object' || value === null) return null;
  const key = (value as Record<string, unknown>)[keyField];
  return key === undefined || key === null ? null : String(key);
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
