import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One record as it is on the wire: its place, its key and its value's exact text. */
export interface WireRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
}

/**
 * A digest of topics' content that leaves out only the broker (write) timestamps, which differ
 * from run to run: role, partition, offset, key and the value's exact bytes, partition by
 * partition in offset order. The same content on the embedded log and on Kafka digests the same.
 */
export function digest(topics: [role: string, records: WireRecord[]][]): string {
  const hash = createHash('sha256');
  for (const [role, records] of topics) {
    const sorted = records.slice().sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    for (const r of sorted) hash.update(`${role}\t${r.partition}\t${r.offset}\t${r.key === null ? '' : JSON.stringify(r.key)}\t${r.value}\n`);
  }
  return hash.digest('hex');
}

const LINE = /^\{"offset":(\d+),"timestamp":\d+,"key":(null|"(?:[^"\\]|\\.)*"),"value":(.*)\}$/;

/**
 * The records of an embedded-log topic, read from its segment files as bytes: the value's text is
 * cut out of the envelope as written (a nested JSON value is the producer's text verbatim; any other
 * value is a JSON string of it).
 */
export function embeddedRecords(dataDir: string, topic: string): WireRecord[] {
  const dir = join(dataDir, 'topics', topic);
  const records: WireRecord[] = [];
  for (const p of readdirSync(dir).filter((n) => /^\d+$/.test(n))) {
    for (const file of readdirSync(join(dir, p)).filter((n) => n.endsWith('.ndjson')).sort()) {
      for (const line of readFileSync(join(dir, p, file), 'utf8').split('\n')) {
        if (!line) continue;
        const m = LINE.exec(line);
        if (!m) throw new Error(`not an envelope: ${line.slice(0, 200)}`);
        const raw = m[3];
        records.push({ partition: Number(p), offset: Number(m[1]), key: JSON.parse(m[2]), value: raw.startsWith('"') ? JSON.parse(raw) : raw });
      }
    }
  }
  return records;
}
