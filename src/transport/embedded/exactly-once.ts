import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SalesstreamError } from '../../errors.js';
import { unitPositions, type CommitUnit, type ExactlyOnceHandlers, type ExactlyOnceLoop } from '../exactly-once.js';
import { createPartitioner } from '../partitioner.js';
import type { Offsets, ProduceRecord } from '../transport.js';
import type { EmbeddedTransport } from './embedded.js';
import { SEGMENT_BYTES, partitionDir } from './files.js';
import { acquireLock, acquireWriterLock, type FileLock } from './lock.js';
import { PartitionAppender } from './partition.js';

export interface EmbeddedExactlyOnceOptions {
  transport: EmbeddedTransport;
  source: string;
  group: string;
  from: 'beginning' | 'end';
  /** Output topics commits may write to (they must exist): this process becomes their one writer. */
  outputs: string[];
}

/** The appends one commit owes the log: redone after a crash until each partition has them. */
interface PendingAppend {
  topic: string;
  partition: number;
  /** The partition's end before the append: the append happened iff the end moved past it. */
  end: number;
  records: ProduceRecord[];
}

interface Checkpoint {
  version: 1;
  source: string;
  partitions: Record<string, { next: number; state: Record<string, string> }>;
  pending: PendingAppend[];
}

type LoopState = 'new' | 'running' | 'committing' | 'stopped';

/**
 * Exactly-once on the embedded log. One instance per group and source (a lock says so); it owns
 * every partition. A commit is one atomic rename of a checkpoint file holding every partition's
 * state and next input offset together with the output records the commit owes (a write-ahead
 * record); the appends follow. After a crash, the checkpoint is the truth: appends it owes are
 * redone for each output partition whose end has not moved past where it stood, so no output
 * is lost or doubled, and reading resumes from the checkpoint's offsets.
 */
export class EmbeddedExactlyOnce implements ExactlyOnceLoop {
  readonly description: string;
  private state: LoopState = 'new';
  private readonly dir: string;
  private checkpoint: Checkpoint;
  private lock?: { release(): void };
  private readonly writers = new Map<string, { lock: FileLock; partitions: PartitionAppender[]; partitionFor: ReturnType<typeof createPartitioner> }>();
  private readonly reading = new AbortController();
  private stopped?: () => void;

  constructor(private readonly opts: EmbeddedExactlyOnceOptions) {
    this.dir = opts.transport.stateDir(opts.group, opts.source);
    this.description = `the embedded log's checkpoint in ${this.dir}`;
    this.checkpoint = { version: 1, source: opts.source, partitions: {}, pending: [] };
  }

  async run(handlers: ExactlyOnceHandlers): Promise<void> {
    const { transport, source, group } = this.opts;
    const ranges = await transport.partitions(source);
    mkdirSync(this.dir, { recursive: true });
    // one running instance per group and source
    this.lock = acquireLock(join(this.dir, 'owner.lock'),
      (holder) => `group ${group} is already processing ${source} in ${holder}; on the embedded log one instance runs per group`);
    for (const topic of this.opts.outputs) this.openWriter(topic);
    this.checkpoint = this.readCheckpoint() ?? this.checkpoint;
    this.redoPending();
    const saved = Object.entries(this.checkpoint.partitions).map(([p, { next }]) => [Number(p), next] as [number, number]);
    // the group's offsets are only for people and tools (lag): the checkpoint is the truth
    if (saved.length) await transport.commit(group, source, new Map(saved));
    this.state = 'running';

    const from: Offsets = new Map();
    for (const r of ranges) {
      const saved = this.checkpoint.partitions[r.partition];
      const next = saved?.next ?? (this.opts.from === 'beginning' ? r.start : r.end);
      from.set(r.partition, next);
      handlers.assigned({ partition: r.partition, next, committed: saved !== undefined, state: new Map(Object.entries(saved?.state ?? {})) });
    }
    const stopped = new Promise<void>((resolve) => (this.stopped = resolve));
    for await (const batch of transport.read({ topic: source, from, signal: this.reading.signal })) {
      handlers.records(batch);
      // let triggers and Ctrl-C in between batches of a backlog read from disk
      await new Promise((resolve) => setImmediate(resolve));
    }
    await stopped;
  }

  async commit(unit: CommitUnit): Promise<boolean> {
    if (this.state !== 'running') throw new Error(`commit refused: the exactly-once loop is ${this.state}`);
    this.state = 'committing';
    try {
      const pending: PendingAppend[] = [];
      for (const { topic, records } of unit.outputs) {
        const writer = this.openWriter(topic);
        const byPartition = new Map<number, ProduceRecord[]>();
        for (const r of records) {
          const p = writer.partitionFor(r.key, writer.partitions.length);
          let list = byPartition.get(p);
          if (!list) byPartition.set(p, (list = []));
          list.push(r);
        }
        for (const [partition, list] of byPartition) {
          const already = pending.find((a) => a.topic === topic && a.partition === partition);
          if (already) already.records.push(...list);
          else pending.push({ topic, partition, end: writer.partitions[partition].nextOffset, records: list });
        }
      }
      const partitions = { ...this.checkpoint.partitions };
      for (const [p, next] of unitPositions(unit)) partitions[p] = { next, state: partitions[p]?.state ?? {} };
      const state = { ...partitions[unit.partition].state, ...Object.fromEntries(unit.state) };
      for (const [key, value] of unit.state) if (value === '') delete state[key];
      partitions[unit.partition] = { next: unit.next, state };
      const next: Checkpoint = { ...this.checkpoint, partitions, pending };
      // the rename is the commit point
      this.writeCheckpoint(next);
      this.checkpoint = next;
      this.redoPending();
      await this.opts.transport.commit(this.opts.group, this.opts.source, new Map(unitPositions(unit)));
      return true;
    } finally {
      if (this.state === 'committing') this.state = 'running';
    }
  }

  async caughtUp(ends: Offsets): Promise<boolean> {
    return [...ends].every(([p, end]) => (this.checkpoint.partitions[p]?.next ?? -1) >= end);
  }

  async pause(): Promise<void> {
    this.reading.abort();
  }

  async stop(): Promise<void> {
    this.reading.abort();
    this.state = 'stopped';
    for (const { lock, partitions } of this.writers.values()) {
      partitions.forEach((p) => p.close());
      lock.release();
    }
    this.writers.clear();
    this.lock?.release();
    this.stopped?.();
  }

  private openWriter(topic: string) {
    let writer = this.writers.get(topic);
    if (!writer) {
      const count = this.opts.transport.partitionCount(topic);
      const dir = this.opts.transport.topicDir(topic);
      const lock = acquireWriterLock(dir, topic);
      writer = { lock, partitions: Array.from({ length: count }, (_, p) => new PartitionAppender(partitionDir(dir, p), SEGMENT_BYTES)), partitionFor: createPartitioner() };
      this.writers.set(topic, writer);
    }
    return writer;
  }

  /** Appends what the checkpoint owes, where the partition has not moved past where it stood. */
  private redoPending(): void {
    const now = Date.now();
    for (const a of this.checkpoint.pending) {
      const appender = this.openWriter(a.topic).partitions[a.partition];
      if (appender.nextOffset === a.end) appender.append(a.records, now);
    }
  }

  private path(): string {
    return join(this.dir, 'checkpoint.json');
  }

  private readCheckpoint(): Checkpoint | undefined {
    let text: string;
    try {
      text = readFileSync(this.path(), 'utf8');
    } catch {
      return undefined;
    }
    const parsed = JSON.parse(text) as Checkpoint;
    if (parsed.version !== 1 || parsed.source !== this.opts.source) throw new SalesstreamError(`${this.path()} is not a checkpoint of ${this.opts.source}`);
    return parsed;
  }

  private writeCheckpoint(checkpoint: Checkpoint): void {
    const tmp = `${this.path()}.${process.pid}`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(checkpoint));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path());
  }
}
