import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs, { type Consumer, type EachBatchPayload, type PartitionAssigner, type Producer, type Transaction } from 'kafkajs';
import { SalesstreamError, UsageError } from '../errors.js';
import { unitPositions, type CommitUnit, type ExactlyOnceHandlers, type ExactlyOnceLoop } from './exactly-once.js';
import { kafkaFailure } from './kafka-errors.js';
import { byteChunks, logRecord, restartBound, type KafkaTransport } from './kafka.js';
import { createPartitioner } from './partitioner.js';
import type { LogRecord, Offsets, ProduceRecord } from './transport.js';

const { AssignerProtocol } = kafkajs;

/** Changelog key holding the input offset each commit covers: written last in every transaction. */
const POSITION_KEY = '__position';
/** How long a partition's restore may wait for its committed state to show in the changelog. */
const RESTORE_DEADLINE_MS = 60_000;

export interface KafkaExactlyOnceOptions {
  transport: KafkaTransport;
  source: string;
  /** Consumer group: shares the input partitions between instances and holds the committed offsets. */
  group: string;
  /** Compacted topic holding each input partition's state, one changelog partition per input partition. */
  changelog: string;
  /** Where a partition without committed offsets starts. */
  from: 'beginning' | 'end';
  /** Output topics commits may write to (they must exist). */
  outputs: string[];
  sessionTimeout: number;
  /**
   * One instance takes every partition, the others of the group wait as standbys: for a
   * processor whose state spans partitions (stream window), committing them together.
   */
  exclusive?: boolean;
  /** Something worth telling the user (a partition lost and taken back). */
  onWarning?: (text: string) => void;
}

/** Where a partition stands in this instance. Commits are refused outside `ready`. */
type SlotState = 'acquiring' | 'ready' | 'committing' | 'released';

interface Slot {
  partition: number;
  state: SlotState;
  producer?: Producer;
  /** The next input offset to hand to the processor: anything before was delivered. */
  expected: number;
}

/** A record of a commit, with where it goes. */
interface TopicRecord extends ProduceRecord {
  topic: string;
  partition: number;
}

interface ChangelogEntry {
  /** The input offset the commit that wrote it covers: newer commits have larger ones. */
  offset: number;
  value: string;
}

interface PartitionView {
  /** Input offset of the latest commit seen for this partition. */
  position: number;
  entries: Map<string, ChangelogEntry>;
}

/**
 * Exactly-once over Kafka (DESIGN §4, §9). Each input partition has its own transactional.id
 * (the pre-KIP-447 pattern: kafkajs sends no consumer-group metadata with sendOffsets), so
 * taking a partition — after a restart or a rebalance — first fences every older producer of it
 * and aborts its open transaction. One transaction per partition carries the sink records, the
 * partition's state changes to the changelog partition of the same number, a position record,
 * and the input offset (sendOffsets). Taking a partition then restores exactly its last commit:
 * the group's committed offset and the changelog read (read-committed) up to the position
 * record of that offset. Every instance follows the whole changelog, so it knows the committed
 * state of partitions other instances own.
 */
export class KafkaExactlyOnce implements ExactlyOnceLoop {
  readonly description: string;
  private readonly view = new Map<number, PartitionView>();
  private readonly slots = new Map<number, Slot>();
  private assignment = new Set<number>();
  private readonly partitionCounts = new Map<string, number>();
  private readonly partitionFor = createPartitioner();
  private readonly following = new AbortController();
  private starts: Offsets = new Map();
  private consumer?: Consumer;
  private handlers?: ExactlyOnceHandlers;
  private stopping = false;
  private settle?: { resolve: () => void; reject: (err: Error) => void };

  constructor(private readonly opts: KafkaExactlyOnceOptions) {
    this.description = `Kafka transactions (group ${opts.group}, changelog ${opts.changelog})`;
  }

  private transactionalId(partition: number): string {
    return `salesstream.${this.opts.group}.${this.opts.source}.${partition}`;
  }

  async run(handlers: ExactlyOnceHandlers): Promise<void> {
    const { transport, source, group } = this.opts;
    this.handlers = handlers;
    const done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    const ranges = await this.opts.transport.partitions(source);
    this.starts = new Map(ranges.map((r) => [r.partition, r.start]));
    await this.ensureChangelog(ranges.length);
    for (const topic of this.opts.outputs) this.partitionCounts.set(topic, (await this.opts.transport.partitions(topic)).length);

    this.follow().catch((err) => this.fail(err));
    // start from the committed state of every partition, so the first sink writes are whole
    const committed = await transport.committed(group, source);
    await this.until(() => [...committed].every(([p, c]) => this.position(p) >= c), 'the changelog to catch up with the committed offsets');

    const restarts = restartBound();
    const consumer = transport.client.consumer({
      groupId: group,
      sessionTimeout: this.opts.sessionTimeout,
      rebalanceTimeout: this.opts.sessionTimeout * 2,
      heartbeatInterval: this.heartbeatInterval(),
      maxWaitTimeInMs: 100,
      readUncommitted: false,
      retry: { restartOnFailure: restarts.restartOnFailure },
      ...(this.opts.exclusive ? { partitionAssigners: [this.exclusiveAssigner()] } : {}),
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      restarts.ok();
      this.onAssignment(payload.memberAssignment[source] ?? []);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && !this.stopping) this.fail(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: source, fromBeginning: this.opts.from === 'beginning' });
    await consumer.run({ autoCommit: false, eachBatch: (payload) => this.onBatch(payload) });
    await done;
  }

  async commit(unit: CommitUnit): Promise<boolean> {
    const positions = unitPositions(unit);
    const slot = this.slots.get(unit.partition);
    if (!slot || positions.some(([p]) => this.slots.get(p)?.state !== 'ready')) return false;
    slot.state = 'committing';
    const producer = slot.producer!;
    let transaction: Transaction | undefined;
    try {
      transaction = await producer.transaction();
      const messages: TopicRecord[] = [];
      for (const { topic, records } of unit.outputs) {
        for (const r of records) messages.push({ topic, key: r.key, value: r.value, partition: this.partitionOf(topic, r.key) });
      }
      // the state and position records go last: a reader that sees a position record has seen the whole commit
      for (const [key, value] of unit.state) messages.push({ topic: this.opts.changelog, key, value: JSON.stringify({ offset: unit.next, value }), partition: unit.partition });
      for (const [partition, next] of positions) messages.push({ topic: this.opts.changelog, key: POSITION_KEY, value: JSON.stringify({ offset: next }), partition });
      await this.send(transaction, messages);
      await transaction.sendOffsets({
        consumerGroupId: this.opts.group,
        topics: [{ topic: this.opts.source, partitions: positions.map(([partition, next]) => ({ partition, offset: String(next) })) }],
      });
      await transaction.commit();
    } catch (err) {
      await transaction?.abort().catch(() => undefined);
      // every partition of the unit goes back to its last commit together
      for (const [p] of positions.reverse()) {
        const s = p === unit.partition ? slot : this.slots.get(p);
        if (s) this.lose(s, err as Error, p === unit.partition);
      }
      return false;
    }
    // the view learns commits from the changelog only, in order: commits whose offset did not
    // move (a partition with no new records) cannot be told apart by their offset
    if (this.slots.get(unit.partition) === slot) slot.state = 'ready';
    else await producer.disconnect().catch(() => undefined);
    return true;
  }

  async caughtUp(ends: Offsets): Promise<boolean> {
    const committed = await this.opts.transport.committed(this.opts.group, this.opts.source);
    for (const [partition, end] of ends) {
      const c = committed.get(partition);
      if (c === undefined) {
        if (end > (this.starts.get(partition) ?? 0)) return false;
        continue;
      }
      if (c < end || this.position(partition) < c) return false;
    }
    return true;
  }

  async pause(): Promise<void> {
    this.stopping = true;
    try {
      this.consumer?.pause([{ topic: this.opts.source }]);
    } catch {
      // not running yet: nothing to pause
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.following.abort();
    await this.consumer?.disconnect().catch(() => undefined);
    const producers = [...this.slots.values()].map((s) => s.producer).filter((p): p is Producer => !!p);
    this.slots.clear();
    await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
    this.settle?.resolve();
  }

  /** Every partition to one member: the one holding them now, else the first by id; the others get none. */
  private exclusiveAssigner(): PartitionAssigner {
    const name = 'SalesstreamExclusive';
    const holding = () => Buffer.from(this.slots.size > 0 ? 'holding' : '');
    return ({ cluster }) => ({
      name,
      version: 0,
      async assign({ members, topics }) {
        const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
        const holder = sorted.find((m) => AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData.toString() === 'holding') ?? sorted[0];
        const all = Object.fromEntries(topics.map((t) => [t, cluster.findTopicPartitionMetadata(t).map((m) => m.partitionId)]));
        return members.map((m) => ({
          memberId: m.memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: m === holder ? all : {}, userData: Buffer.alloc(0) }),
        }));
      },
      protocol: ({ topics }) => ({ name, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: holding() }) }),
    });
  }

  private fail(err: unknown): void {
    this.stopping = true;
    const failure = kafkaFailure(err, this.opts.transport.description);
    this.settle?.reject(failure instanceof Error ? failure : new Error(String(failure)));
  }

  private position(partition: number): number {
    return this.view.get(partition)?.position ?? -1;
  }

  private async ensureChangelog(partitions: number): Promise<void> {
    const { changelog } = this.opts;
    await this.opts.transport.createTopic(changelog, partitions, { 'cleanup.policy': 'compact' });
    const existing = (await this.opts.transport.partitions(changelog)).length;
    if (existing !== partitions) {
      throw new UsageError(`changelog ${changelog} has ${existing} partitions but ${this.opts.source} has ${partitions}: delete it and the group ${this.opts.group} to start over`);
    }
  }

  /** Follows every changelog partition (read-committed), newest commit per key winning. */
  private async follow(): Promise<void> {
    const ranges = await this.opts.transport.partitions(this.opts.changelog);
    const from = new Map(ranges.map((r) => [r.partition, r.start]));
    for await (const batch of this.opts.transport.read({ topic: this.opts.changelog, from, signal: this.following.signal })) {
      for (const r of batch) {
        let entry: ChangelogEntry;
        try {
          const parsed = JSON.parse(r.value) as { offset: number; value?: string };
          entry = { offset: parsed.offset, value: parsed.value ?? '' };
        } catch {
          continue; // not written by this code
        }
        if (r.key === null || !Number.isSafeInteger(entry.offset)) continue;
        if (!this.apply(r.partition, r.key, entry) || r.key === POSITION_KEY) continue;
        const slot = this.slots.get(r.partition);
        const owned = slot && (slot.state === 'ready' || slot.state === 'committing');
        if (!owned) this.handlers?.peer(r.partition, r.key, entry.value);
      }
    }
  }

  /** Records a committed changelog entry; false when it is not newer than what is known. */
  private apply(partition: number, key: string, entry: ChangelogEntry): boolean {
    let v = this.view.get(partition);
    if (!v) this.view.set(partition, (v = { position: -1, entries: new Map() }));
    if (key === POSITION_KEY) {
      if (entry.offset <= v.position) return false;
      v.position = entry.offset;
      return true;
    }
    const known = v.entries.get(key);
    if (known && (known.offset > entry.offset || (known.offset === entry.offset && known.value === entry.value))) return false;
    v.entries.set(key, entry);
    return true;
  }

  /**
   * The consumer has joined the group: after a rebalance, or after kafkajs restarted it (a broker
   * gone and back), which forgets every seek. Partitions we keep read on from where we are.
   */
  private onAssignment(partitions: number[]): void {
    this.assignment = new Set(partitions);
    for (const [partition, slot] of [...this.slots]) if (!this.assignment.has(partition)) this.release(slot);
    for (const [partition, slot] of this.slots) if (slot.state === 'ready' || slot.state === 'committing') this.readFrom(partition, slot.expected);
    for (const partition of this.assignment) if (!this.slots.has(partition)) void this.acquire(partition);
  }

  /** Seeks only a running consumer: between kafkajs's restarts, the next join seeks. */
  private readFrom(partition: number, offset: number): void {
    const consumer = this.consumer!;
    try {
      consumer.seek({ topic: this.opts.source, partition, offset: String(offset) });
      consumer.resume([{ topic: this.opts.source, partitions: [partition] }]);
    } catch (err) {
      if (!/consumer#run must be called first/.test((err as Error).message)) throw err;
    }
  }

  /** Takes a partition: fence older producers of it, then restore its last commit. */
  private async acquire(partition: number): Promise<void> {
    if (this.stopping) return;
    const { transport, source, group } = this.opts;
    const slot: Slot = { partition, state: 'acquiring', expected: 0 };
    this.slots.set(partition, slot);
    const current = () => this.slots.get(partition) === slot && slot.state === 'acquiring';
    try {
      const producer = transport.client.producer({ transactionalId: this.transactionalId(partition), idempotent: true, maxInFlightRequests: 1 });
      slot.producer = producer;
      await producer.connect();
      // the first transaction initialises the transactional.id: that fences every older
      // producer with it and aborts the transaction it left open
      const fence = await producer.transaction();
      await fence.abort();
      if (!current()) return;
      const committed = (await transport.committed(group, source)).get(partition);
      let next: number;
      if (committed !== undefined) {
        next = committed;
        await this.until(() => this.position(partition) >= committed || !current(), `the state of ${source}[${partition}] committed at offset ${committed} to appear in ${this.opts.changelog}`);
      } else {
        const range = (await this.opts.transport.partitions(source)).find((r) => r.partition === partition);
        next = this.opts.from === 'beginning' ? range?.start ?? 0 : range?.end ?? 0;
      }
      if (!current()) return;
      slot.state = 'ready';
      slot.expected = next;
      const state = new Map([...(this.view.get(partition)?.entries ?? new Map<string, ChangelogEntry>())].map(([k, e]) => [k, e.value]));
      this.handlers!.assigned({ partition, next, committed: committed !== undefined, state });
      this.readFrom(partition, next);
    } catch (err) {
      if (err instanceof SalesstreamError) return this.fail(err);
      if (this.slots.get(partition) === slot) this.lose(slot, err as Error);
    }
  }

  private release(slot: Slot): void {
    this.slots.delete(slot.partition);
    const wasOwned = slot.state === 'ready' || slot.state === 'committing';
    const committing = slot.state === 'committing';
    slot.state = 'released';
    if (wasOwned) this.handlers?.revoked(slot.partition);
    if (!committing) void slot.producer?.disconnect().catch(() => undefined);
  }

  /** A partition whose commit or restore failed: drop it, and take it back while the group still gives it to us. */
  private lose(slot: Slot, err: Error, warn = true): void {
    if (this.slots.get(slot.partition) === slot) this.release(slot);
    else void slot.producer?.disconnect().catch(() => undefined);
    if (this.stopping) return;
    if (warn) this.opts.onWarning?.(`${this.opts.source}[${slot.partition}]: ${err.message}; restoring it from its last commit`);
    setTimeout(() => {
      if (!this.stopping && this.assignment.has(slot.partition) && !this.slots.has(slot.partition)) void this.acquire(slot.partition);
    }, 1000).unref();
  }

  private async onBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    const partition = batch.partition;
    const slot = this.slots.get(partition);
    if (!slot || (slot.state !== 'ready' && slot.state !== 'committing')) {
      // not ours yet: restoring it will seek and resume
      this.consumer?.pause([{ topic: this.opts.source, partitions: [partition] }]);
      return;
    }
    const records: LogRecord[] = [];
    for (const m of batch.messages) {
      const offset = Number(m.offset);
      // a fetch made before the restore's seek may start earlier: that part is already counted
      if (offset < slot.expected) continue;
      records.push(logRecord(batch.topic, partition, offset, m));
      slot.expected = offset + 1;
    }
    if (records.length) await this.held(this.handlers!.records(records), heartbeat);
  }

  /**
   * Waits while the processor holds its reading (until its next commit), still heartbeating:
   * kafkajs heartbeats only between batches, and a member silent for the session timeout loses
   * its partitions.
   */
  private async held(hold: void | Promise<void>, heartbeat: () => Promise<void>): Promise<void> {
    if (!hold) return;
    let settled = false;
    const done = hold.finally(() => (settled = true));
    const timer = new AbortController();
    try {
      for (;;) {
        await Promise.race([done, sleep(this.heartbeatInterval(), undefined, { signal: timer.signal }).catch(() => undefined)]);
        if (settled || this.stopping) return;
        await heartbeat();
      }
    } finally {
      timer.abort();
    }
  }

  private heartbeatInterval(): number {
    return Math.max(300, Math.floor(this.opts.sessionTimeout / 6));
  }

  private partitionOf(topic: string, key: string | null): number {
    return this.partitionFor(key, this.partitionCounts.get(topic) ?? 1);
  }

  /**
   * Sends a commit's records, every topic together: one produce request per byte chunk, not one
   * per topic (each request is a round trip the commit waits for).
   */
  private async send(transaction: Transaction, messages: TopicRecord[]): Promise<void> {
    for (const chunk of byteChunks(messages)) {
      const byTopic = new Map<string, TopicRecord[]>();
      for (const m of chunk) {
        let list = byTopic.get(m.topic);
        if (!list) byTopic.set(m.topic, (list = []));
        list.push(m);
      }
      await transaction.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })) });
    }
  }

  private async until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + RESTORE_DEADLINE_MS;
    while (!condition()) {
      if (this.stopping) return;
      if (Date.now() > deadline) {
        throw new SalesstreamError(`gave up waiting for ${what}; if the changelog was deleted, delete the consumer group ${this.opts.group} too to start over`);
      }
      await sleep(20);
    }
  }
}
