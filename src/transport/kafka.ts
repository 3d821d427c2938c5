import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs, { type Admin, type Consumer, type KafkaConfig, type KafkaMessage, type Producer } from 'kafkajs';
import { ConnectionError, UsageError } from '../errors.js';
import type { Auth } from '../config/config.js';
import { checkTopicName } from '../model/names.js';
import { isTooLarge, isUnknownTopic, kafkaFailure, outageMs, retrying } from './kafka-errors.js';
import { createPartitioner } from './partitioner.js';
import type { LogRecord, Offsets, PartitionRange, ProduceRecord, ReadOptions, TopicInfo, Transport, Writer } from './transport.js';

const { Kafka, logLevel } = kafkajs;

/** An unreachable broker must fail within about this long (DESIGN §5), not hang. */
const CONNECT_DEADLINE_MS = 10_000;
/** Kafka refuses a partition batch above message.max.bytes (1 MiB by default): stay well under. */
const MAX_SEND_BYTES = 512 * 1024;

export function kafkaClientConfig(brokers: string[], auth: Auth): KafkaConfig {
  return {
    clientId: 'salesstream',
    brokers,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 2_000 },
    logLevel: process.env.SALESSTREAM_DEBUG ? logLevel.INFO : logLevel.NOTHING,
    ...(auth.method === 'sasl_scram'
      ? { ssl: true, sasl: { mechanism: 'scram-sha-512' as const, username: auth.username, password: auth.password } }
      : {}),
  };
}

async function withDeadline<T>(what: string, brokers: string[], work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConnectionError(`cannot reach Kafka at ${brokers.join(',')}: no answer to ${what} within ${CONNECT_DEADLINE_MS / 1000} s`)), CONNECT_DEADLINE_MS);
  });
  try {
    return await Promise.race([work, deadline]);
  } catch (err) {
    if (err instanceof ConnectionError) throw err;
    throw new ConnectionError(`cannot reach Kafka at ${brokers.join(',')}: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * kafkajs restarts a crashed consumer (a broker gone, a coordinator moving) again and again:
 * this lets it for as long as a broker outage may last, counted from the first crash of a run
 * of crashes; `ok()` marks the consumer as working again.
 */
export function restartBound(): { restartOnFailure: () => Promise<boolean>; ok: () => void } {
  let since: number | undefined;
  return {
    restartOnFailure: async () => Date.now() - (since ??= Date.now()) < outageMs(),
    ok: () => (since = undefined),
  };
}

/** The Kafka transport, through kafkajs. Reads use a throwaway group id and explicit seeks. */
export class KafkaTransport implements Transport {
  readonly description: string;
  private readonly kafka: InstanceType<typeof Kafka>;
  private adminClient?: Promise<Admin>;
  private adminTurn: Promise<unknown> = Promise.resolve();
  private readonly partitionCounts = new Map<string, number>();

  constructor(private readonly brokers: string[], auth: Auth) {
    this.description = `Kafka at ${brokers.join(',')}`;
    this.kafka = new Kafka(kafkaClientConfig(brokers, auth));
  }

  get client(): InstanceType<typeof Kafka> {
    return this.kafka;
  }

  admin(): Promise<Admin> {
    if (!this.adminClient) {
      const admin = this.kafka.admin();
      this.adminClient = withDeadline('connect', this.brokers, admin.connect()).then(() => admin);
      this.adminClient.catch(() => undefined);
    }
    return this.adminClient;
  }

  /**
   * Runs one admin request, after the ones before it: kafkajs's admin mixes up the metadata of
   * concurrent calls (a topic created while another topic's offsets are asked for makes those
   * come back empty, and kafkajs then fails with a TypeError).
   */
  private async adminCall<T>(request: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = await this.admin();
    const call = this.adminTurn.then(() => request(admin));
    this.adminTurn = call.catch(() => undefined);
    return call;
  }

  async listTopics(include: (name: string) => boolean = () => true): Promise<TopicInfo[]> {
    // a topic deleted while it is being counted (by another client) makes the count start over
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.topicInfos(include);
      } catch (err) {
        if (!isGone(err) || attempt >= 10) throw err;
        await sleep(200 * attempt);
      }
    }
  }

  private async topicInfos(include: (name: string) => boolean): Promise<TopicInfo[]> {
    const names = (await retrying(this.description, () => this.adminCall((admin) => admin.listTopics()))).filter(include).sort();
    const ranges = new Map<string, PartitionRange[]>();
    for (const name of names) {
      try {
        ranges.set(name, await this.partitions(name));
        this.partitionCounts.set(name, ranges.get(name)!.length);
      } catch (err) {
        if (!isGone(err)) throw err; // listed, but being deleted
      }
    }
    const records = await this.countRecords(ranges);
    return names.filter((name) => ranges.has(name)).map((name) => ({ name, partitions: ranges.get(name)!.length, records: records.get(name) ?? 0 }));
  }

  /**
   * The records a reader gets: transaction markers and aborted records take offsets too, so the
   * topics are read (all with one consumer) and their records counted — only counted: no key or
   * value is decoded.
   */
  private async countRecords(ranges: Map<string, PartitionRange[]>): Promise<Map<string, number>> {
    const reads = [...ranges].map(([topic, rs]) => ({
      topic,
      from: new Map(rs.filter((r) => r.end > r.start).map((r) => [r.partition, r.start])),
      until: new Map(rs.map((r) => [r.partition, r.end])),
    }));
    const counts = new Map<string, number>();
    for await (const batch of this.readTopics(reads, undefined, (topic) => topic)) counts.set(batch[0], (counts.get(batch[0]) ?? 0) + batch.length);
    return counts;
  }

  async createTopic(name: string, partitions: number, config: Record<string, string> = {}): Promise<boolean> {
    checkTopicName(name);
    const configEntries = Object.entries(config).map(([key, value]) => ({ name: key, value }));
    // kafkajs's own waitForLeaders gives up when the broker does not know the new topic yet
    const created = await retrying(this.description, () => this.adminCall((admin) => admin.createTopics({ topics: [{ topic: name, numPartitions: partitions, replicationFactor: -1, configEntries }] })));
    await this.untilServed(name);
    return created;
  }

  /**
   * Waits until every partition of a topic just created has a leader that answers for it: a
   * KRaft broker learns of a new topic a little after the controller created it.
   */
  private async untilServed(topic: string): Promise<void> {
    await retrying(this.description, async () => {
      try {
        const { topics } = await this.adminCall((admin) => admin.fetchTopicMetadata({ topics: [topic] }));
        const partitions = topics[0]?.partitions ?? [];
        if (!partitions.length || partitions.some((p) => p.leader < 0)) throw notServedYet(topic);
        await this.adminCall((admin) => admin.fetchTopicOffsets(topic));
      } catch (err) {
        throw isUnknownTopic(err) ? notServedYet(topic) : err;
      }
    });
  }

  async deleteTopic(name: string): Promise<void> {
    await this.partitions(name);
    await retrying(this.description, () => this.adminCall((admin) => admin.deleteTopics({ topics: [name] })));
    this.partitionCounts.delete(name);
  }

  async partitions(topic: string): Promise<PartitionRange[]> {
    checkTopicName(topic);
    const offsets = await retrying(this.description, async () => {
      try {
        return await this.adminCall((admin) => admin.fetchTopicOffsets(topic));
      } catch (err) {
        throw isUnknownTopic(err) ? new UsageError(`unknown topic ${topic} in ${this.description}`) : err;
      }
    });
    return offsets
      .map((o) => ({ partition: o.partition, start: Number(o.low), end: Number(o.high) }))
      .sort((a, b) => a.partition - b.partition);
  }

  private async partitionCount(topic: string): Promise<number> {
    let count = this.partitionCounts.get(topic);
    if (count === undefined) {
      count = (await this.partitions(topic)).length;
      this.partitionCounts.set(topic, count);
    }
    return count;
  }

  async offsetsForTime(topic: string, ms: number): Promise<Offsets> {
    const ranges = await this.partitions(topic);
    const found = await retrying(this.description, () => this.adminCall((admin) => admin.fetchTopicOffsetsByTimestamp(topic, ms)));
    const end = new Map(ranges.map((r) => [r.partition, r.end]));
    return new Map(found.map((f) => [f.partition, Number(f.offset) < 0 ? end.get(f.partition)! : Number(f.offset)]));
  }

  async writer(): Promise<Writer> {
    await this.admin();
    const producer: Producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
    await withDeadline('producer connect', this.brokers, producer.connect());
    const partitionFor = createPartitioner();
    return {
      send: async (topic, records) => {
        const partitions = await this.partitionCount(topic);
        for (const chunk of byteChunks(records)) {
          const messages = chunk.map((r) => ({ key: r.key, value: r.value, partition: partitionFor(r.key, partitions) }));
          // a send the broker did not acknowledge is sent again by the same idempotent producer,
          // with the same sequence numbers: the partition's leader drops what it already has
          await retrying(this.description, () => producer.send({ topic, acks: -1, messages }).catch((err) => {
            throw isTooLarge(err) ? tooLarge(topic, chunk, this.description) : err;
          }));
        }
      },
      close: () => producer.disconnect(),
    };
  }

  read({ topic, from, until, signal }: ReadOptions): AsyncIterable<LogRecord[]> {
    return this.readTopics([{ topic, from, until }], signal, logRecord);
  }

  /**
   * Reads several topics with one consumer (one group join, however many topics), each partition
   * in offset order; `until` as in read(), for all of them or none. `shape` makes each message
   * into what is yielded.
   */
  private async *readTopics<T>(reads: Omit<ReadOptions, 'signal'>[], signal: AbortSignal | undefined,
    shape: (topic: string, partition: number, offset: number, m: KafkaMessage) => T): AsyncIterable<T[]> {
    const key = (topic: string, partition: number) => `${partition}@${topic}`;
    const nextOffset = new Map<string, Map<number, number>>();
    const stops = new Map<string, number>();
    const unwanted: { topic: string; partitions: number[] }[] = [];
    for (const { topic, from, until } of reads) {
      const pending = [...from].filter(([p, o]) => until === undefined || o < (until.get(p) ?? 0));
      if (!pending.length) continue;
      nextOffset.set(topic, new Map(pending));
      for (const [p] of pending) stops.set(key(topic, p), until?.get(p) ?? Infinity);
      const all = await this.partitionCount(topic);
      const others = Array.from({ length: all }, (_, p) => p).filter((p) => !nextOffset.get(topic)!.has(p));
      if (others.length) unwanted.push({ topic, partitions: others });
    }
    if (nextOffset.size === 0 || signal?.aborted) return;
    const following = reads.some((r) => r.until === undefined);
    const remaining = new Set(stops.keys());
    const restarts = restartBound();
    const consumer: Consumer = this.kafka.consumer({
      groupId: `salesstream-reader-${randomUUID()}`, maxWaitTimeInMs: 100, retry: { retries: 3, restartOnFailure: restarts.restartOnFailure },
    });
    const queue = new BatchQueue<T>();
    const abort = () => queue.finish();
    signal?.addEventListener('abort', abort);
    const passed = (topic: string, partition: number, next: number) => {
      nextOffset.get(topic)!.set(partition, next);
      const k = key(topic, partition);
      if (!following && next >= stops.get(k)! && remaining.delete(k) && remaining.size === 0) queue.finish();
    };
    // Positions live in the consumer's group state, which kafkajs builds anew on every (re)start
    // after a crash: seek (and pause what is not ours to read) each time it has joined.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      restarts.ok();
      for (const [topic, offsets] of nextOffset) for (const [partition, offset] of offsets) consumer.seek({ topic, partition, offset: String(offset) });
      if (unwanted.length) consumer.pause(unwanted);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      const topics = [...nextOffset.keys()].join(', ');
      queue.fail(isUnknownTopic(payload.error) ? new UsageError(`unknown topic ${topics} in ${this.description}`) : kafkaFailure(payload.error, this.description));
    });
    // A fetch holding only transaction markers or aborted records never reaches eachBatch; a
    // transactionally written topic ends with a marker, so count such batches as read too.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const next = nextOffset.get(payload.topic)?.get(payload.partition);
      if (payload.batchSize > 0 || payload.firstOffset === null || next === undefined || Number(payload.firstOffset) > next) return;
      passed(payload.topic, payload.partition, Math.max(next, Number(payload.lastOffset) + 1));
    });
    try {
      await withDeadline('consumer connect', this.brokers, consumer.connect());
      const topics = [...nextOffset.keys()];
      await retrying(this.description, () => consumer.subscribe({ topics, fromBeginning: true }).catch((err) => {
        throw isUnknownTopic(err) ? new UsageError(`unknown topic ${topics.join(', ')} in ${this.description}`) : err;
      }));
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const { topic, partition } = batch;
          let next = nextOffset.get(topic)?.get(partition);
          if (next === undefined) return;
          const stop = stops.get(key(topic, partition))!;
          const records: T[] = [];
          for (const m of batch.messages) {
            const offset = Number(m.offset);
            // a batch fetched before the seek took effect may repeat or precede what we want
            if (offset < next || offset >= stop) continue;
            records.push(shape(topic, partition, offset, m));
            next = offset + 1;
          }
          // transaction markers take offsets but are never delivered: count them as read
          const first = batch.firstOffset();
          if (first !== null && Number(first) <= next) next = Math.max(next, Number(batch.lastOffset()) + 1);
          nextOffset.get(topic)!.set(partition, next);
          if (records.length) await queue.push(records);
          passed(topic, partition, next);
        },
      });
      yield* queue;
    } finally {
      signal?.removeEventListener('abort', abort);
      queue.finish();
      await consumer.disconnect().catch(() => undefined);
    }
  }

  async committed(group: string, topic: string): Promise<Offsets> {
    const [entry] = await retrying(this.description, () => this.adminCall((admin) => admin.fetchOffsets({ groupId: group, topics: [topic] })));
    return new Map((entry?.partitions ?? []).filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, Number(p.offset)]));
  }

  async commit(group: string, topic: string, offsets: Offsets): Promise<void> {
    const partitions = [...offsets].map(([partition, offset]) => ({ partition, offset: String(offset) }));
    await retrying(this.description, () => this.adminCall((admin) => admin.setOffsets({ groupId: group, topic, partitions })));
  }

  async close(): Promise<void> {
    if (this.adminClient) await (await this.adminClient.catch(() => undefined))?.disconnect();
  }
}

/** The UsageError of a topic that does not exist (any more). */
function isGone(err: unknown): boolean {
  return err instanceof UsageError && /^unknown topic/.test(err.message);
}

function notServedYet(topic: string): Error {
  return Object.assign(new Error(`topic ${topic} has no leader for every partition yet`), { name: 'KafkaJSMetadataNotLoaded' });
}

function tooLarge(topic: string, chunk: ProduceRecord[], where: string): UsageError {
  const largest = chunk.reduce((a, b) => (b.value.length + (b.key?.length ?? 0) > a.value.length + (a.key?.length ?? 0) ? b : a));
  const bytes = Buffer.byteLength(largest.value) + Buffer.byteLength(largest.key ?? '');
  return new UsageError(`a record of ${bytes} bytes${largest.key === null ? '' : ` (key ${largest.key})`} is larger than ${where} accepts for ${topic} (its max.message.bytes)`);
}

/** Splits records into runs of at most MAX_SEND_BYTES (both Kafka writers, and bench/alt-client's). */
export function* byteChunks<T extends ProduceRecord>(records: T[]): Generator<T[]> {
  let chunk: T[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = r.value.length + (r.key?.length ?? 0) + 32;
    if (chunk.length && bytes + size > MAX_SEND_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(r);
    bytes += size;
  }
  if (chunk.length) yield chunk;
}

/** A fetched kafkajs message as the transport's record (both Kafka readers use it). */
export function logRecord(topic: string, partition: number, offset: number, m: KafkaMessage): LogRecord {
  return { topic, partition, offset, timestamp: Number(m.timestamp), key: m.key?.toString() ?? null, value: m.value?.toString() ?? '' };
}

/** Hands kafkajs's pushed batches to a pulling async iterator, one at a time (backpressure). */
class BatchQueue<T> implements AsyncIterable<T[]> {
  private items: T[][] = [];
  private finished = false;
  private failure?: unknown;
  private wake?: () => void;
  private drained?: () => void;

  push(records: T[]): Promise<void> {
    if (this.finished) return Promise.resolve();
    this.items.push(records);
    this.wake?.();
    return new Promise((resolve) => (this.drained = resolve));
  }

  finish(): void {
    this.finished = true;
    this.wake?.();
    this.drained?.();
  }

  /** Ends the iteration with an error, after what was already queued. */
  fail(err: unknown): void {
    this.failure ??= err;
    this.finish();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T[]> {
    for (;;) {
      const next = this.items.shift();
      if (next) {
        yield next;
        if (this.items.length === 0) this.drained?.();
        continue;
      }
      if (this.finished) {
        if (this.failure !== undefined) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
