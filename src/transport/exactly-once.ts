// Exactly-once processing of one input topic (DESIGN §4, running totals): a processor owns
// input partitions; for each it commits, in ONE atomic step, the output records, the changes to
// its state and the next input offset. After a crash, a partition is restored to exactly its
// last commit: the state as committed, reading on from the committed offset. Two
// implementations: Kafka transactions (kafka-transactional.ts) and the embedded log's
// write-ahead checkpoint (embedded/exactly-once.ts).
import type { LogRecord, Offsets, ProduceRecord } from './transport.js';

/** One input partition's work, made durable all or nothing. */
export interface CommitUnit {
  partition: number;
  /** Next input offset: every record before it is reflected in `state` and `outputs`, none after. */
  next: number;
  /**
   * Further input partitions whose next offsets commit in the same atomic step: a processor
   * whose state spans partitions (stream window) keeps it all with `partition` and moves every
   * position together. Only a processor that owns every partition (`exclusive`) does this.
   */
  alsoNext?: [partition: number, next: number][];
  /** Changes to this partition's state: key → value text (latest wins; an empty value deletes the key). */
  state: [key: string, value: string][];
  /** Records for output topics (the sink, a dead-letter topic). */
  outputs: { topic: string; records: ProduceRecord[] }[];
}

/** Every input partition a unit commits, `partition` first. */
export const unitPositions = (unit: CommitUnit): [partition: number, next: number][] => [[unit.partition, unit.next], ...(unit.alsoNext ?? [])];

export interface RestoredPartition {
  partition: number;
  /** Where to read on from. */
  next: number;
  /** False when nothing was ever committed for this partition (`next` comes from --from). */
  committed: boolean;
  state: Map<string, string>;
}

export interface ExactlyOnceHandlers {
  /** This processor now owns a partition, restored to its last commit. */
  assigned(restored: RestoredPartition): void;
  /** It no longer does (rebalance, or its commit failed): uncommitted work is void. */
  revoked(partition: number): void;
  /**
   * Records of owned partitions, each partition in offset order from its restored `next`. A
   * promise returned holds further deliveries until it settles: a processor that has read as much
   * as it may keep uncommitted waits for a commit (backpressure, so memory stays bounded).
   */
  records(batch: LogRecord[]): void | Promise<void>;
  /** Committed state of a partition owned by another processor (several instances, Kafka). */
  peer(partition: number, key: string, value: string): void;
}

export interface ExactlyOnceLoop {
  readonly description: string;
  /** Restores, then delivers records until stop(); rejects on a failure that ends the job. */
  run(handlers: ExactlyOnceHandlers): Promise<void>;
  /** Commits one unit atomically. False: not committed (fenced, revoked or failed) and its partitions were revoked. */
  commit(unit: CommitUnit): Promise<boolean>;
  /** True once every input partition's committed position is at or past `ends` and every commit up to there has been delivered (own or peer). */
  caughtUp(ends: Offsets): Promise<boolean>;
  /** Stops delivering records (commits may still follow). */
  pause(): Promise<void>;
  /** Leaves: ends run(). */
  stop(): Promise<void>;
}
