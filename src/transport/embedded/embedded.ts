import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SalesstreamError, UsageError } from '../../errors.js';
import { createFileExclusive, makeDirectoryDurable, writeFileAtomic } from '../../fs/durable-file.js';
import { withFileErrors } from '../../fs/fs-error.js';
import { checkGroupId, checkTopicName, isValidName } from '../../model/names.js';
import { createPartitioner } from '../partitioner.js';
import { refusePastEnd } from '../past-end.js';
import type { LogRecord, Offsets, PartitionRange, ProduceRecord, ReadOptions, TopicInfo, Transport, Writer, WriterOptions } from '../transport.js';
import { PartitionCursor } from './cursor.js';
import { SEGMENT_BYTES, partitionDir } from './files.js';
import { acquireWriterLock, type FileLock } from './lock.js';
import { PartitionAppender, partitionEnd, partitionStart } from './partition.js';

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

  async listTopics(include: (name: string) => boolean = () => true): Promise<TopicInfo[]> {
    let names: string[];
    try {
      names = readdirSync(join(this.dataDir, 'topics')).filter((n) => isValidName(n) && include(n) && existsSync(join(this.topicDir(n), 'topic.json')));
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
    return withFileErrors(`cannot create topic ${name} in the ${this.description}`, () => {
      for (let p = 0; p < partitions; p++) makeDirectoryDurable(partitionDir(dir, p));
      // topic.json appears last, whole and durable: a topic is visible only once complete
      return createFileExclusive(join(dir, 'topic.json'), JSON.stringify({ partitions }) + '\n');
    });
  }

  async deleteTopic(name: string): Promise<void> {
    this.partitionCount(name);
    rmSync(this.topicDir(name), { recursive: true, force: true });
  }

  hasTopic(topic: string): boolean {
    return existsSync(join(this.topicDir(topic), 'topic.json'));
  }

  partitionCount(topic: string): number {
    const path = join(this.topicDir(topic), 'topic.json');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new UsageError(`unknown topic ${topic} in the ${this.description}`);
    }
    let partitions: unknown;
    try {
      partitions = JSON.parse(text).partitions;
    } catch {
      // written whole and synced, so only damage from outside (a bad disk, an edit) can do this
    }
    if (!Number.isSafeInteger(partitions) || (partitions as number) < 1) {
      const count = listPartitionDirs(this.topicDir(topic));
      throw new SalesstreamError(`${path} is damaged; it holds the topic's partition count: write {"partitions":${count}} into it to use the topic again`);
    }
    return partitions as number;
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

  async writer({ durability = 'strict' }: WriterOptions = {}): Promise<Writer> {
    const appenders = new Map<string, { lock: FileLock; partitions: PartitionAppender[] }>();
    const partitionFor = createPartitioner();
    const description = this.description;
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
        withFileErrors(`cannot write to topic ${topic} in the ${description}`, () => {
          const partitions = open(topic);
          const byPartition: ProduceRecord[][] = partitions.map(() => []);
          for (const r of records) byPartition[partitionFor(r.key, partitions.length)].push(r);
          const now = Date.now();
          byPartition.forEach((rs, p) => rs.length && partitions[p].append(rs, now));
          // group commit: one fsync per partition per batch before the batch is acknowledged
          if (durability === 'strict') partitions.forEach((p) => p.sync());
        });
      },
      async close() {
        try {
          // relaxed writes too are on disk once the writer is closed
          withFileErrors(`cannot write to the ${description}`, () => {
            for (const { partitions } of appenders.values()) partitions.forEach((p) => p.sync());
          });
        } finally {
          for (const { lock, partitions } of appenders.values()) {
            partitions.forEach((p) => p.close());
            lock.release();
          }
          appenders.clear();
        }
      },
    };
  }

  async *read({ topic, from, until, signal }: ReadOptions): AsyncIterable<LogRecord[]> {
    const dir = this.topicDir(topic);
    this.partitionCount(topic);
    const cursors = [...from].map(([partition, offset]) => new PartitionCursor(topic, partition, partitionDir(dir, partition), offset, (report) => reportDamage(this.dataDir, report)));
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
    let text: string;
    try {
      text = readFileSync(this.groupFile(group), 'utf8');
    } catch {
      return {}; // a group that never committed
    }
    try {
      return JSON.parse(text);
    } catch {
      // written atomically, so only damage from outside (a bad disk, an edit) can do this
      throw new SalesstreamError(`${this.groupFile(group)} is damaged (not whole JSON); delete it to start group ${group} as new`);
    }
  }

  async committed(group: string, topic: string): Promise<Offsets> {
    const offsets: Offsets = new Map(Object.entries(this.readGroup(group)[topic] ?? {}).map(([p, o]) => [Number(p), o]));
    if (offsets.size) {
      const ranges = existsSync(join(this.topicDir(topic), 'topic.json')) ? await this.partitions(topic) : [];
      refusePastEnd(offsets, ranges, `group ${group}'s committed position (${this.groupFile(group)})`, topic,
        `delete that file to read ${topic} as a new group would`);
    }
    return offsets;
  }

  async commit(group: string, topic: string, offsets: Offsets): Promise<void> {
    const all = this.readGroup(group);
    all[topic] = { ...(all[topic] ?? {}), ...Object.fromEntries(offsets) };
    withFileErrors(`cannot save the offsets of group ${group} in the ${this.description}`, () => {
      makeDirectoryDurable(join(this.dataDir, 'groups'));
      writeFileAtomic(this.groupFile(group), JSON.stringify(all));
    });
  }

  async close(): Promise<void> {}
}

const reported = new Set<string>();

/** One warning line per damaged line (or run of missing offsets) and process, however often it is read past. */
function reportDamage(dataDir: string, report: string): void {
  const key = `${dataDir}\0${report}`;
  if (reported.has(key)) return;
  reported.add(key);
  process.stderr.write(`salesstream: warning: ${report}\n`);
}

/** How many partition folders (0, 1, …) a topic has: what a damaged topic.json should say. */
function listPartitionDirs(topicDir: string): number {
  let count = 0;
  while (existsSync(partitionDir(topicDir, count))) count++;
  return count;
}
