// One interface for the embedded log and Kafka (DESIGN §1): topics, produce, read from an
// offset, consumer-group offsets. The transport knows nothing of sales.

export interface ProduceRecord {
  key: string | null;
  /** The message text as it goes on the wire. */
  value: string;
  /** The producer vouches that value is a serialised JSON object or array (saves re-validating it). */
  json?: boolean;
}

export interface LogRecord {
  topic: string;
  partition: number;
  offset: number;
  /** Broker (produce) time, ms since the epoch. Never the event time. */
  timestamp: number;
  key: string | null;
  value: string;
  /**
   * The value as a parsed JSON object or array, when the transport had to parse it anyway (the
   * embedded log's lines): readers use it instead of parsing `value` a second time.
   */
  parsed?: object;
}

export interface PartitionRange {
  partition: number;
  /** First offset still present. */
  start: number;
  /** The next offset to be written (Kafka's high watermark). */
  end: number;
}

export interface TopicInfo {
  name: string;
  partitions: number;
  records: number;
}

/** Offsets per partition: where to start, or where to stop (exclusive). */
export type Offsets = Map<number, number>;

export interface ReadOptions {
  topic: string;
  /** The partitions to read, each from this offset. */
  from: Offsets;
  /** Stop each partition at this offset (exclusive) and finish once all are there; absent = follow. */
  until?: Offsets;
  /** Aborting ends the iteration cleanly. */
  signal?: AbortSignal;
}

/**
 * What a writer's acknowledgement (send() resolving) means. strict: the records are on disk —
 * the embedded log fsyncs each batch (group commit), so they survive a power cut. relaxed: they
 * are in the log, readable and safe from any process crash, but a power cut may lose the last
 * ones. Kafka: acknowledged by all in-sync replicas either way.
 */
export type Durability = 'strict' | 'relaxed';

export interface WriterOptions {
  /** strict when absent. */
  durability?: Durability;
}

export interface Writer {
  /** Resolves once every record is acknowledged (written to the log / acked by all in-sync replicas). */
  send(topic: string, records: ProduceRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface Transport {
  /** Human description: where the data lives. */
  readonly description: string;
  /** The topics `include` accepts (default: all), with the records a reader gets from each. */
  listTopics(include?: (name: string) => boolean): Promise<TopicInfo[]>;
  /** Creates the topic; false when it already existed. */
  createTopic(name: string, partitions: number): Promise<boolean>;
  deleteTopic(name: string): Promise<void>;
  /** Partition ranges of an existing topic; a UsageError names an unknown topic. */
  partitions(topic: string): Promise<PartitionRange[]>;
  /** Per partition, the first offset whose timestamp is ≥ ms (the end offset when none). */
  offsetsForTime(topic: string, ms: number): Promise<Offsets>;
  writer(options?: WriterOptions): Promise<Writer>;
  read(options: ReadOptions): AsyncIterable<LogRecord[]>;
  committed(group: string, topic: string): Promise<Offsets>;
  commit(group: string, topic: string, offsets: Offsets): Promise<void>;
  close(): Promise<void>;
}
