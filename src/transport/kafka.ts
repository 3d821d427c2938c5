import { randomUUID } from 'node:crypto';
import kafkajs, { type Admin, type Consumer, type KafkaConfig, type KafkaMessage, type Producer } from 'kafkajs';
import { ConnectionError, UsageError } from '../errors.js';
import type { Auth } from '../config/config.js';
import { checkTopicName } from '../model/names.js';
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

function isUnknownTopic(err: unknown): boolean {
  const e = err as { type?: string; message?: string };
  return e?.type === 'UNKNOWN_TOPIC_OR_PARTITION' || /does not host this topic-partition|unknown topic/i.test(e?.message ?? '');
}

/** The Kafka transport, through kafkajs. Reads use a throwaway group id and explicit seeks. */
export class KafkaTransport implements Transport {
  readonly description: string;
  private readonly kafka: InstanceType<typeof Kafka>;
  private adminClient?: Promise<Admin>;
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

  async listTopics(): Promise<TopicInfo[]> {
    const admin = await this.admin();
    const names = (await admin.listTopics()).filter((n) => !n.startsWith('__')).sort();
    const topics: TopicInfo[] = [];
    for (const name of names) {
      const ranges = await this.partitions(name);
      topics.push({ name, partitions: ranges.length, records: ranges.reduce((s, r) => s + r.end - r.start, 0) });
    }
    return topics;
  }

  async createTopic(name: string, partitions: number): Promise<boolean> {
    checkTopicName(name);
    const admin = await this.admin();
    return admin.createTopics({ topics: [{ topic: name, numPartitions: partitions, replicationFactor: -1 }], waitForLeaders: true });
  }

  async deleteTopic(name: string): Promise<void> {
    await this.partitions(name);
    const admin = await this.admin();
    await admin.deleteTopics({ topics: [name] });
    this.partitionCounts.delete(name);
  }

  async partitions(topic: string): Promise<PartitionRange[]> {
    checkTopicName(topic);
    const admin = await this.admin();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets
        .map((o) => ({ partition: o.partition, start: Number(o.low), end: Number(o.high) }))
        .sort((a, b) => a.partition - b.partition);
    } catch (err) {
      if (isUnknownTopic(err)) throw new UsageError(`unknown topic ${topic} in ${this.description}`);
      throw err;
    }
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
    const admin = await this.admin();
    const ranges = await this.partitions(topic);
    const found = await admin.fetchTopicOffsetsByTimestamp(topic, ms);
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
          await producer.send({
            topic,
            acks: -1,
            messages: chunk.map((r) => ({ key: r.key, value: r.value, partition: partitionFor(r.key, partitions) })),
          });
        }
      },
      close: () => producer.disconnect(),
    };
  }

  async *read({ topic, from, until, signal }: ReadOptions): AsyncIterable<LogRecord[]> {
    const pending = [...from].filter(([p, o]) => until === undefined || o < (until.get(p) ?? 0));
    if (pending.length === 0 || signal?.aborted) return;
    const remaining = new Set(pending.map(([p]) => p));
    const nextOffset = new Map(from);
    const consumer: Consumer = this.kafka.consumer({ groupId: `salesstream-reader-${randomUUID()}`, maxWaitTimeInMs: 100, retry: { retries: 3 } });
    const queue = new BatchQueue();
    const abort = () => queue.finish();
    signal?.addEventListener('abort', abort);
    try {
      await withDeadline('consumer connect', this.brokers, consumer.connect());
      await consumer.subscribe({ topic, fromBeginning: true });
      const all = await this.partitionCount(topic);
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const partition = batch.partition;
          let next = nextOffset.get(partition);
          if (next === undefined) return;
          const stop = until?.get(partition) ?? Infinity;
          const records: LogRecord[] = [];
          for (const m of batch.messages) {
            const offset = Number(m.offset);
            // a batch fetched before the seek took effect may repeat or precede what we want
            if (offset < next || offset >= stop) continue;
            records.push(logRecord(topic, partition, offset, m));
            next = offset + 1;
          }
          // transaction markers take offsets but are never delivered: count them as read
          const first = batch.firstOffset();
          if (first !== null && Number(first) <= next) next = Math.max(next, Number(batch.lastOffset()) + 1);
          nextOffset.set(partition, next);
          if (records.length) await queue.push(records);
          if (until && next >= stop && remaining.delete(partition) && remaining.size === 0) queue.finish();
        },
      });
      // A fetch holding only transaction markers or aborted records never reaches eachBatch; a
      // transactionally written topic ends with a marker, so count such batches as read too.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.topic !== topic || payload.batchSize > 0 || payload.firstOffset === null) return;
        const partition = payload.partition;
        const next = nextOffset.get(partition);
        if (next === undefined || Number(payload.firstOffset) > next) return;
        const after = Math.max(next, Number(payload.lastOffset) + 1);
        nextOffset.set(partition, after);
        if (until && after >= (until.get(partition) ?? Infinity) && remaining.delete(partition) && remaining.size === 0) queue.finish();
      });
      for (const [partition, offset] of from) consumer.seek({ topic, partition, offset: String(offset) });
      const unwanted = Array.from({ length: all }, (_, p) => p).filter((p) => !from.has(p));
      if (unwanted.length) consumer.pause([{ topic, partitions: unwanted }]);
      yield* queue;
    } finally {
      signal?.removeEventListener('abort', abort);
      queue.finish();
      await consumer.disconnect().catch(() => undefined);
    }
  }

  async committed(group: string, topic: string): Promise<Offsets> {
    const admin = await this.admin();
    const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return new Map((entry?.partitions ?? []).filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, Number(p.offset)]));
  }

  async commit(group: string, topic: string, offsets: Offsets): Promise<void> {
    const admin = await this.admin();
    await admin.setOffsets({ groupId: group, topic, partitions: [...offsets].map(([partition, offset]) => ({ partition, offset: String(offset) })) });
  }

  async close(): Promise<void> {
    if (this.adminClient) await (await this.adminClient.catch(() => undefined))?.disconnect();
  }
}

/** Splits records into runs of at most MAX_SEND_BYTES (exported for bench/alt-client's writer). */
export function* byteChunks(records: ProduceRecord[]): Generator<ProduceRecord[]> {
  let chunk: ProduceRecord[] = [];
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
class BatchQueue implements AsyncIterable<LogRecord[]> {
  private items: LogRecord[][] = [];
  private finished = false;
  private wake?: () => void;
  private drained?: () => void;

  push(records: LogRecord[]): Promise<void> {
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

  async *[Symbol.asyncIterator](): AsyncIterator<LogRecord[]> {
    for (;;) {
      const next = this.items.shift();
      if (next) {
        yield next;
        if (this.items.length === 0) this.drained?.();
        continue;
      }
      if (this.finished) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
