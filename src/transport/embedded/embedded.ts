import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../../errors.js';
import { checkGroupId, checkTopicName, isValidName } from '../../model/names.js';
import { createPartitioner } from '../partitioner.js';
import type { LogRecord, Offsets, PartitionRange, ProduceRecord, ReadOptions, TopicInfo, Transport, Writer } from '../transport.js';
import { valueText, type Envelope } from './envelope.js';
import { SEGMENT_BYTES, listSegments, partitionDir, readLines, segmentName } from './files.js';
import { acquireWriterLock, type FileLock } from './lock.js';
import { PartitionAppender, partitionEnd, partitionStart, seekInSegment } from './partition.js';

/** How often a following reader looks for new lines. */
const POLL_MS = 50;

/**
 * The embedded log (DESIGN §1): <dataDir>/topics/<topic>/<partition>/<base>.ndjson segments of
 * one JSON envelope per line, readable by many processes while one writer appends.
 */
export class EmbeddedTransport implements Transport {
  readonly description: string;

  constructor(readonly dataDir: string, private readonly segmentBytes = SEGMENT_BYTES) {
    this.description = `embedded log at ${dataDir}`;
  }

  topicDir(topic: string): string {
    // the last guard: every path below the data dir is built here, from a checked name
    return join(this.dataDir, 'topics', checkTopicName(topic));
  }

  async listTopics(): Promise<TopicInfo[]> {
    let names: string[];
    try {
      names = readdirSync(join(this.dataDir, 'topics')).filter((n) => isValidName(n) && existsSync(join(this.topicDir(n), 'topic.json')));
    } catch {
      return [];
    }
    const topics: TopicInfo[] = [];
    for (const name of names.sort()) {
      const ranges = await this.partitions(name);
      topics.push({ name, partitions: ranges.length, records: ranges.reduce((sum, r) => sum + r.end - r.start, 0) });
    }
    return topics;
  }

  async createTopic(name: string, partitions: number): Promise<boolean> {
    const dir = this.topicDir(name);
    if (existsSync(join(dir, 'topic.json'))) return false;
    for (let p = 0; p < partitions; p++) mkdirSync(partitionDir(dir, p), { recursive: true });
    // topic.json appears last and atomically: a topic is visible only once whole
    const tmp = join(dir, `topic.json.${process.pid}`);
    writeFileSync(tmp, JSON.stringify({ partitions }) + '\n');
    renameSync(tmp, join(dir, 'topic.json'));
    return true;
  }

  async deleteTopic(name: string): Promise<void> {
    this.partitionCount(name);
    rmSync(this.topicDir(name), { recursive: true, force: true });
  }

  partitionCount(topic: string): number {
    try {
      return JSON.parse(readFileSync(join(this.topicDir(topic), 'topic.json'), 'utf8')).partitions;
    } catch {
      throw new UsageError(`unknown topic ${topic} in the ${this.description}`);
    }
  }

  async partitions(topic: string): Promise<PartitionRange[]> {
    const count = this.partitionCount(topic);
    const dir = this.topicDir(topic);
    return Array.from({ length: count }, (_, partition) => {
      const pdir = partitionDir(dir, partition);
      return { partition, start: partitionStart(pdir), end: partitionEnd(pdir).end };
    });
  }

  async offsetsForTime(topic: string, ms: number): Promise<Offsets> {
    const result: Offsets = new Map();
    for (const range of await this.partitions(topic)) {
      let found = range.end;
      for await (const batch of this.read({ topic, from: new Map([[range.partition, range.start]]), until: new Map([[range.partition, range.end]]) })) {
        const hit = batch.find((r) => r.timestamp >= ms);
        if (hit) {
          found = hit.offset;
          break;
        }
      }
      result.set(range.partition, found);
    }
    return result;
  }

  async writer(): Promise<Writer> {
    const appenders = new Map<string, { lock: FileLock; partitions: PartitionAppender[] }>();
    const partitionFor = createPartitioner();
    const open = (topic: string) => {
      let entry = appenders.get(topic);
      if (!entry) {
        const count = this.partitionCount(topic);
        const dir = this.topicDir(topic);
        const lock = acquireWriterLock(dir, topic);
        entry = { lock, partitions: Array.from({ length: count }, (_, p) => new PartitionAppender(partitionDir(dir, p), this.segmentBytes)) };
        appenders.set(topic, entry);
      }
      return entry.partitions;
    };
    return {
      async send(topic: string, records: ProduceRecord[]) {
        const partitions = open(topic);
        const byPartition: ProduceRecord[][] = partitions.map(() => []);
        for (const r of records) byPartition[partitionFor(r.key, partitions.length)].push(r);
        const now = Date.now();
        byPartition.forEach((rs, p) => rs.length && partitions[p].append(rs, now));
      },
      async close() {
        for (const { lock, partitions } of appenders.values()) {
          partitions.forEach((p) => p.close());
          lock.release();
        }
        appenders.clear();
      },
    };
  }

  async *read({ topic, from, until, signal }: ReadOptions): AsyncIterable<LogRecord[]> {
    const dir = this.topicDir(topic);
    this.partitionCount(topic);
    const cursors = [...from].map(([partition, offset]) => new PartitionCursor(topic, partition, partitionDir(dir, partition), offset));
    const done = (c: PartitionCursor) => until !== undefined && c.offset >= (until.get(c.partition) ?? 0);
    while (!signal?.aborted) {
      let progressed = false;
      for (const cursor of cursors) {
        if (done(cursor)) continue;
        let batch = cursor.poll();
        if (until) {
          const stop = until.get(cursor.partition) ?? 0;
          batch = batch.filter((r) => r.offset < stop);
        }
        if (batch.length) {
          progressed = true;
          yield batch;
        }
      }
      if (until && cursors.every(done)) return;
      if (!progressed) await sleep(POLL_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Where a group's exactly-once state for one source topic lives. */
  stateDir(group: string, topic: string): string {
    return join(this.dataDir, 'state', checkGroupId(group), checkTopicName(topic));
  }

  private groupFile(group: string): string {
    return join(this.dataDir, 'groups', `${checkGroupId(group)}.json`);
  }

  private readGroup(group: string): Record<string, Record<string, number>> {
    try {
      return JSON.parse(readFileSync(this.groupFile(group), 'utf8'));
    } catch {
      return {};
    }
  }

  async committed(group: string, topic: string): Promise<Offsets> {
    return new Map(Object.entries(this.readGroup(group)[topic] ?? {}).map(([p, o]) => [Number(p), o]));
  }

  async commit(group: string, topic: string, offsets: Offsets): Promise<void> {
    const all = this.readGroup(group);
    all[topic] = { ...(all[topic] ?? {}), ...Object.fromEntries(offsets) };
    mkdirSync(join(this.dataDir, 'groups'), { recursive: true });
    const tmp = `${this.groupFile(group)}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify(all));
    renameSync(tmp, this.groupFile(group));
  }

  async close(): Promise<void> {}
}

/** Reads one partition forward from an offset, across segments, one chunk per poll. */
class PartitionCursor {
  private base = -1;
  private position = 0;

  constructor(private readonly topic: string, readonly partition: number, private readonly dir: string, public offset: number) {}

  poll(): LogRecord[] {
    if (this.base < 0 && !this.seek()) return [];
    const chunk = readLines(join(this.dir, segmentName(this.base)), this.position);
    if (chunk.lines.length === 0) {
      // the writer rolls to a new segment only after finishing this one
      const later = listSegments(this.dir).find((b) => b > this.base);
      if (later !== undefined) {
        this.base = later;
        this.position = 0;
        return this.poll();
      }
      return [];
    }
    this.position = chunk.next;
    const records: LogRecord[] = new Array(chunk.lines.length);
    for (let i = 0; i < chunk.lines.length; i++) {
      const e = JSON.parse(chunk.lines[i]) as Envelope;
      records[i] = { topic: this.topic, partition: this.partition, offset: e.offset, timestamp: e.timestamp, key: e.key, value: valueText(e.value) };
      if (typeof e.value === 'object' && e.value !== null) records[i].parsed = e.value;
    }
    this.offset = records[records.length - 1].offset + 1;
    return records;
  }

  private seek(): boolean {
    const segments = listSegments(this.dir);
    if (segments.length === 0) return false;
    const base = [...segments].reverse().find((b) => b <= this.offset) ?? segments[0];
    const { position, offset } = seekInSegment(join(this.dir, segmentName(base)), base, this.offset);
    this.base = base;
    this.position = position;
    this.offset = offset;
    return true;
  }
}
