import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SalesstreamError } from '../../errors.js';
import { ByteBuffer } from '../../fs/byte-buffer.js';
import { makeDirectoryDurable, removeStaleTemps, writeFileAtomic } from '../../fs/durable-file.js';
import { fileSystemError, withFileErrors } from '../../fs/fs-error.js';
import { refusePastEnd } from '../past-end.js';
import { unitPositions, type CommitUnit, type ExactlyOnceHandlers, type ExactlyOnceLoop } from '../exactly-once.js';
import { createPartitioner } from '../partitioner.js';
import { writeCheckpointJson, type Checkpoint, type Mark, type PendingAppend } from './checkpoint-json.js';
import type { LogRecord, Offsets, PartitionRange, ProduceRecord } from '../transport.js';
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
  /** Something worth telling the user (owed output for a topic that was deleted). */
  onWarning?: (text: string) => void;
}

function markOf(r: LogRecord): Mark {
  return { timestamp: r.timestamp, digest: createHash('sha256').update(`${r.key === null ? '' : `k${r.key}`}\0${r.value}`).digest('base64url').slice(0, 22) };
}

type LoopState = 'new' | 'running' | 'committing' | 'stopped';

/**
 * Exactly-once on the embedded log. One instance per group and source (a lock says so); it owns
 * every partition. A commit is one atomic rename of a checkpoint file holding every partition's
 * state and next input offset together with the output records the commit owes (a write-ahead
 * record); the appends follow. After a crash, the checkpoint is the truth: of the appends it
 * owes, exactly the records missing from each output partition are appended, so no output is lost
 * or doubled, and reading resumes from the checkpoint's offsets. Appends are fsynced before the
 * next checkpoint replaces the one that owes them. A checkpoint ahead of its logs (they lost
 * records: a truncated segment, a power cut after relaxed writes) is refused, never trusted.
 */
export class EmbeddedExactlyOnce implements ExactlyOnceLoop {
  readonly description: string;
  private state: LoopState = 'new';
  private readonly dir: string;
  private checkpoint: Checkpoint;
  private lock?: { release(): void };
  private readonly writers = new Map<string, { lock: FileLock; partitions: PartitionAppender[]; partitionFor: ReturnType<typeof createPartitioner> }>();
  private readonly reading = new AbortController();
  /** The last batch of records delivered per input partition. */
  private readonly delivered = new Map<number, LogRecord[]>();
  private stopped?: () => void;
  /** The checkpoint file's bytes, rebuilt in place at each commit. */
  private readonly checkpointBytes = new ByteBuffer();

  constructor(private readonly opts: EmbeddedExactlyOnceOptions) {
    this.dir = opts.transport.stateDir(opts.group, opts.source);
    this.description = `the embedded log's checkpoint in ${this.dir}`;
    this.checkpoint = { version: 1, source: opts.source, partitions: {}, pending: [] };
  }

  async run(handlers: ExactlyOnceHandlers): Promise<void> {
    const { transport, source, group } = this.opts;
    const ranges = await transport.partitions(source);
    withFileErrors(`cannot keep the checkpoint of group ${group} in ${this.dir}`, () => makeDirectoryDurable(this.dir));
    // one running instance per group and source
    this.lock = acquireLock(join(this.dir, 'owner.lock'),
      (holder) => `group ${group} is already processing ${source} in ${holder}; on the embedded log one instance runs per group`);
    removeStaleTemps(this.path());
    for (const topic of this.opts.outputs) this.openWriter(topic);
    this.checkpoint = this.readCheckpoint() ?? this.checkpoint;
    const saved = Object.entries(this.checkpoint.partitions).map(([p, { next }]) => [Number(p), next] as [number, number]);
    refusePastEnd(new Map(saved), ranges, `group ${group}'s checkpoint (${this.path()})`, source, this.recovery());
    await this.checkMarks(ranges);
    await this.redoPending();
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
      // each batch is one partition's; its records are kept until the next, for the marks
      this.delivered.set(batch[0].partition, batch);
      await handlers.records(batch);
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
      for (const [p, next] of unitPositions(unit)) {
        const last = partitions[p]?.next === next ? partitions[p].last : this.markBefore(p, next);
        partitions[p] = { next, state: partitions[p]?.state ?? {}, last };
      }
      const state = { ...partitions[unit.partition].state, ...Object.fromEntries(unit.state) };
      for (const [key, value] of unit.state) if (value === '') delete state[key];
      partitions[unit.partition] = { ...partitions[unit.partition], next: unit.next, state };
      const next: Checkpoint = { ...this.checkpoint, partitions, pending };
      // the rename is the commit point; a failed write leaves the previous checkpoint as it was
      try {
        this.checkpointBytes.reset();
        writeCheckpointJson(this.checkpointBytes, next);
        writeFileAtomic(this.path(), this.checkpointBytes.bytes());
      } catch (err) {
        throw fileSystemError(err, `cannot commit group ${this.opts.group}'s checkpoint ${this.path()}`);
      }
      this.checkpoint = next;
      await this.redoPending();
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

  /** Appends exactly the records the checkpoint owes that are not in the log yet, durably. */
  private async redoPending(): Promise<void> {
    for (const a of this.checkpoint.pending) {
      // a deleted topic (a sink given up for another --sink) is owed nothing any more
      if (!this.writers.has(a.topic) && !this.opts.transport.hasTopic(a.topic)) {
        this.opts.onWarning?.(`group ${this.opts.group}'s last commit owed ${a.records.length} records to topic ${a.topic}, which has been deleted: they are dropped`);
        continue;
      }
      const appender = this.openWriter(a.topic).partitions[a.partition];
      const end = appender.nextOffset;
      if (end < a.end) {
        refusePastEnd(new Map([[a.partition, a.end]]), [{ partition: a.partition, start: 0, end }],
          `group ${this.opts.group}'s last commit (${this.path()}) wrote output that`, a.topic, this.recovery());
      }
      const present = end === a.end ? 0 : await this.presentPrefix(a, end);
      withFileErrors(`cannot write group ${this.opts.group}'s output to topic ${a.topic}`, () => {
        if (present < a.records.length) appender.append(a.records.slice(present), Date.now());
      });
    }
    withFileErrors(`cannot write group ${this.opts.group}'s output`, () => {
      for (const { partitions } of this.writers.values()) partitions.forEach((p) => p.sync());
    });
  }

  /** How many of a pending append's records are in the log already, from its first offset on. */
  private async presentPrefix(a: PendingAppend, end: number): Promise<number> {
    let present = 0;
    const until = Math.min(end, a.end + a.records.length);
    for await (const batch of this.opts.transport.read({ topic: a.topic, from: new Map([[a.partition, a.end]]), until: new Map([[a.partition, until]]) })) {
      for (const r of batch) {
        const owed = a.records[present];
        if (r.offset !== a.end + present || r.key !== owed.key || r.value !== owed.value) return present;
        present++;
      }
    }
    return present;
  }

  /** The mark of the record before `next`, when it was among the last delivered. */
  private markBefore(partition: number, next: number): Mark | undefined {
    const batch = this.delivered.get(partition);
    const record = batch?.[next - 1 - (batch[0]?.offset ?? 0)];
    return record?.offset === next - 1 ? markOf(record) : undefined;
  }

  /** Refuses a checkpoint whose last counted records are no longer the ones in the log. */
  private async checkMarks(ranges: PartitionRange[]): Promise<void> {
    const { transport, source, group } = this.opts;
    for (const { partition, start } of ranges) {
      const saved = this.checkpoint.partitions[partition];
      if (!saved?.last || saved.next - 1 < start) continue;
      let found: LogRecord | undefined;
      const at = saved.next - 1;
      for await (const batch of transport.read({ topic: source, from: new Map([[partition, at]]), until: new Map([[partition, saved.next]]) })) found ??= batch[0];
      const mark = found?.offset === at ? markOf(found) : undefined;
      if (mark?.timestamp !== saved.last.timestamp || mark.digest !== saved.last.digest) {
        throw new SalesstreamError(`group ${group}'s checkpoint (${this.path()}) counted a record at offset ${at} of ${source} partition ${partition} that is no longer there: the log lost records and was written again since; ${this.recovery()}`);
      }
    }
  }

  /** What to do about a checkpoint that is ahead of its logs. */
  private recovery(): string {
    return `to recompute from what the log holds, delete ${this.dir} and the records of ${this.opts.outputs.join(', ') || 'the outputs'} (or restore the lost segments)`;
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
    let parsed: Checkpoint;
    try {
      parsed = JSON.parse(text);
    } catch {
      // written atomically, so only damage from outside (a bad disk, an edit) can do this
      throw new SalesstreamError(`${this.path()} is damaged (not whole JSON); ${this.recovery()}`);
    }
    if (parsed?.version !== 1 || parsed.source !== this.opts.source) throw new SalesstreamError(`${this.path()} is not a checkpoint of ${this.opts.source}`);
    return parsed;
  }

}
