import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../errors.js';
import { EmbeddedTransport } from '../transport/embedded/embedded.js';
import { EmbeddedExactlyOnce } from '../transport/embedded/exactly-once.js';
import type { ExactlyOnceHandlers, ExactlyOnceLoop } from '../transport/exactly-once.js';
import type { Transport } from '../transport/transport.js';
import { nextTriggerAt } from './stream-reports.js';

export interface ExactlyOnceLoopOptions {
  transport: Transport;
  source: string;
  group: string;
  from: 'beginning' | 'end';
  /** Output topics commits write to (they must exist). */
  outputs: string[];
  /** What the state is, naming the Kafka changelog topic: `<group>.<source>.<kind>-changelog`. */
  kind: string;
  /** Kafka consumer-group session timeout, ms. */
  sessionTimeout: number;
  /** One instance owns every partition, the others of the group wait (a state spanning partitions: stream window). */
  exclusive?: boolean;
  onWarning: (text: string) => void;
  /** The command, for the error on a transport without exactly-once. */
  command: string;
}

/** What an exactly-once job with a per-partition state (stream totals, stream enrich) is given. */
export interface ExactlyOnceJobOptions<Trigger> {
  transport: Transport;
  /** The input topic (purchases). */
  source: string;
  group: string;
  /** Where partitions without committed offsets start. */
  from: 'beginning' | 'end';
  /** Process to the end offsets present at start, commit, return. */
  untilEnd: boolean;
  /** Commit interval, ms. */
  trigger: number;
  /** The job's output topic (running totals, enriched records); undefined = --no-sink. */
  sink?: string;
  dlq?: string;
  /** Kafka consumer-group session timeout, ms. */
  sessionTimeout: number;
  signal: AbortSignal;
  onTrigger: (result: Trigger) => void;
  onReport: (line: string) => void;
}

/** The changelog topic of a group's state of a kind: one partition per input partition. */
export function changelogTopic(group: string, source: string, kind: string): string {
  return `${group}.${source}.${kind}-changelog`.replace(/[^a-zA-Z0-9._-]/g, '_');
}

/** The exactly-once loop of the transport in use: the embedded log's checkpoint or Kafka transactions. */
export async function exactlyOnceLoop(opts: ExactlyOnceLoopOptions): Promise<ExactlyOnceLoop> {
  const { transport, source, group, from, outputs } = opts;
  if (transport instanceof EmbeddedTransport) return new EmbeddedExactlyOnce({ transport, source, group, from, outputs, onWarning: opts.onWarning });
  // the Kafka client is loaded only for Kafka runs
  const { KafkaTransport } = await import('../transport/kafka.js');
  const { KafkaExactlyOnce } = await import('../transport/kafka-transactional.js');
  if (transport instanceof KafkaTransport) {
    return new KafkaExactlyOnce({
      transport, source, group, from, outputs, changelog: changelogTopic(group, source, opts.kind), sessionTimeout: opts.sessionTimeout,
      exclusive: opts.exclusive, onWarning: opts.onWarning,
    });
  }
  throw new UsageError(`${opts.command} cannot run exactly-once on ${transport.description}`);
}

export interface TriggeredOptions {
  loop: ExactlyOnceLoop;
  handlers: ExactlyOnceHandlers;
  /** Processing-time trigger interval, ms. */
  trigger: number;
  signal: AbortSignal;
  /** Commits the work of every owned partition. */
  commit: () => Promise<void>;
  /** After a trigger's commit: true ends the run (--until-end reached its end). */
  finished?: () => Promise<boolean>;
  /** After each trigger that did not end the run. */
  afterTrigger: () => void;
}

/**
 * The processing-time trigger loop of an exactly-once job: runs the loop, commits every
 * `trigger` ms from the previous trigger's start (as Spark's, so a commit's own duration does
 * not stretch the period), and on Ctrl-C, a failure or the end stops reading, commits what was
 * read and leaves. `wake()` fires the next trigger at once (as Spark's AvailableNow, --until-end
 * ends when the work does).
 */
export class TriggerLoop {
  private tick = new AbortController();
  private ended = false;
  private held?: { promise: Promise<void>; release: () => void };

  wake(): void {
    this.tick.abort();
  }

  /**
   * Settles once the next commit is done, or the loop ends: what a processor that has read as
   * much as it may keep uncommitted returns from `records` (it also wakes the trigger).
   */
  nextCommit(): Promise<void> {
    if (this.ended) return Promise.resolve();
    if (!this.held) {
      let release!: () => void;
      const promise = new Promise<void>((resolve) => (release = resolve));
      this.held = { promise, release };
    }
    return this.held.promise;
  }

  private release(): void {
    this.held?.release();
    this.held = undefined;
  }

  private async commit(opts: TriggeredOptions): Promise<void> {
    try {
      await opts.commit();
    } finally {
      this.release();
    }
  }

  async run(opts: TriggeredOptions): Promise<void> {
    const { loop } = opts;
    const running = loop.run(opts.handlers);
    let failure: unknown;
    const stopped = new AbortController();
    running.catch((err) => {
      failure = err;
      stopped.abort();
    });
    const wait = AbortSignal.any([opts.signal, stopped.signal]);
    let nextTrigger = Date.now() + opts.trigger;
    try {
      while (!wait.aborted) {
        await sleep(Math.max(nextTrigger - Date.now(), 0), undefined, { signal: AbortSignal.any([wait, this.tick.signal]) }).catch(() => undefined);
        if (wait.aborted) break;
        this.tick = new AbortController();
        nextTrigger = nextTriggerAt(nextTrigger, opts.trigger, Date.now());
        await this.commit(opts);
        if (opts.finished && (await opts.finished())) break;
        opts.afterTrigger();
      }
      if (failure) throw failure;
      await loop.pause();
      await this.commit(opts);
    } finally {
      // a reading held for a commit must not keep the loop from stopping
      this.ended = true;
      this.release();
      await loop.stop();
      await running.catch(() => undefined);
    }
  }
}
