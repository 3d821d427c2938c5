import { parsePurchase, type Purchase } from '../model/purchase.js';
import { NO_WATERMARK, PartitionWatermarks, type WatermarksSnapshot } from './watermark.js';
import { WindowStore, type OutputMode, type WindowRow } from './window-store.js';
import type { SlidingWindows } from './windows.js';

export interface WindowedSalesConfig {
  windows: SlidingWindows;
  /** Allowed lateness, µs (--watermark). */
  delay: number;
  /** Processing time after which a silent partition stops holding the watermark back, ms. */
  idleTimeout: number;
  top: number;
  mode: OutputMode;
  /** When the watermark moves: after every record (DESIGN §4), or only at triggers (Spark's micro-batches). */
  advance?: WatermarkAdvance;
  /** Event times further ahead of processing time than this (µs) are malformed (--max-future); undefined: no limit. */
  maxFuture?: number;
}

export type WatermarkAdvance = 'record' | 'trigger';
export const WATERMARK_ADVANCES: readonly WatermarkAdvance[] = ['record', 'trigger'];

/** What a step did with one record (STYLE: nothing disappears silently). */
export type RecordOutcome =
  | { kind: 'added'; windows: number; eventTime: number }
  /**
   * No window of the record's was still open: its end ≤ the watermark before the record.
   * `counted`: complete mode keeps every window, so the record still counts in them (Spark's rule).
   */
  | { kind: 'late'; eventTime: number; watermark: number; counted: boolean }
  | { kind: 'malformed'; reason: string };

/** One trigger's result (DESIGN §4, Spark's micro-batch): counters are running totals. */
export interface WindowTrigger {
  batch: number;
  rows: WindowRow[];
  /** Rows for an upsert sink keyed by window start and product. */
  upserts: WindowRow[];
  events: number;
  late: number;
  malformed: number;
  /** µs; null before any record. */
  watermark: number | null;
  openWindows: number;
}

/**
 * Sales per product in event-time sliding windows, top N per window — the original demo's Spark
 * job as a pure topology: source records → parse → watermark → window → aggregate → rank. Time
 * is passed in (`now`, ms of processing time, only for partition idleness and triggers).
 */
export class WindowedSales {
  private readonly marks: PartitionWatermarks;
  private readonly store: WindowStore;
  private counters: Counters = { batch: 0, events: 0, late: 0, malformed: 0, eventsAtLastTrigger: -1, watermarkAtLastTrigger: null };
  /** With `advance: 'trigger'`, the watermark the last trigger set: the one records are judged by. */
  private inForce = NO_WATERMARK;

  constructor(readonly config: WindowedSalesConfig) {
    this.marks = new PartitionWatermarks(config.delay, config.idleTimeout);
    this.store = new WindowStore(config.windows, config.top, config.mode);
  }

  /** A partition joins: it holds the watermark back until it has records or goes idle. */
  trackPartition(partition: number, now: number): void {
    this.marks.track(partition, now);
  }

  /** A bounded read of the partition reached its end. */
  finishPartition(partition: number): void {
    this.marks.finish(partition);
  }

  /** Parses and processes one record's value (or the transport's parse of it). */
  process(partition: number, value: string, now: number, alreadyParsed?: object): RecordOutcome {
    const parsed = parsePurchase(value, alreadyParsed, this.config.maxFuture === undefined ? undefined : now * 1000 + this.config.maxFuture);
    if (!parsed.ok) {
      this.counters.events++;
      this.counters.malformed++;
      return { kind: 'malformed', reason: parsed.reason };
    }
    return this.processPurchase(partition, parsed.value, now);
  }

  processPurchase(partition: number, purchase: Purchase, now: number): RecordOutcome {
    this.counters.events++;
    // the record sees the watermark as it stood before it (DESIGN §4)
    const before = this.config.advance === 'trigger' ? this.inForce : this.marks.current(now);
    const joined = this.store.add(purchase, before);
    this.marks.observe(partition, purchase.eventTime, now);
    if (this.config.advance !== 'trigger') this.store.closeThrough(this.marks.current(now));
    if (joined === 0) {
      this.counters.late++;
      return { kind: 'late', eventTime: purchase.eventTime, watermark: before, counted: this.config.mode === 'complete' };
    }
    return { kind: 'added', windows: joined, eventTime: purchase.eventTime };
  }

  /** A processing-time trigger: undefined when nothing happened since the last one. */
  trigger(now: number): WindowTrigger | undefined {
    const watermark = (this.inForce = this.marks.current(now));
    this.store.closeThrough(watermark);
    const c = this.counters;
    if (c.events === c.eventsAtLastTrigger && watermark === (c.watermarkAtLastTrigger ?? NO_WATERMARK)) return undefined;
    return this.result(watermark);
  }

  /** End of a bounded input (--until-end): every window closes and the final result is emitted. */
  finish(now: number): WindowTrigger {
    const watermark = (this.inForce = this.marks.current(now));
    this.store.closeAll();
    return this.result(watermark);
  }

  /**
   * The state changed since the last call, as state-store entries (key → value text, an empty
   * value deletes): the windows that moved and the watermarks and counters. Taken right after a
   * trigger, with the input positions of the records it reflects, it is a checkpoint.
   */
  changes(): [key: string, value: string][] {
    const meta: Meta = { ...this.counters, watermarks: this.marks.snapshot(), inForce: this.inForce === NO_WATERMARK ? null : this.inForce };
    return [...this.store.changes(), [META_KEY, JSON.stringify(meta)]];
  }

  /** Back to a checkpoint made of every entry `changes()` gave (latest per key); `now` is processing time. */
  restore(entries: Map<string, string>, now: number): void {
    const meta = entries.get(META_KEY);
    if (!meta) return;
    const { watermarks, inForce, ...counters } = JSON.parse(meta) as Meta;
    this.inForce = inForce ?? NO_WATERMARK;
    // the first trigger after a restart shows where the job stands
    this.counters = { ...counters, eventsAtLastTrigger: -1 };
    this.marks.restore(watermarks, now);
    this.store.restore(entries);
  }

  /** The next trigger's upserts hold every kept window's rows: for a sink that starts empty. */
  resendAll(): void {
    this.store.resendAll();
  }

  private result(watermark: number): WindowTrigger {
    const c = this.counters;
    c.eventsAtLastTrigger = c.events;
    c.watermarkAtLastTrigger = watermark === NO_WATERMARK ? null : watermark;
    const { rows, upserts } = this.store.emit();
    return {
      batch: c.batch++,
      rows,
      upserts,
      events: c.events,
      late: c.late,
      malformed: c.malformed,
      watermark: watermark === NO_WATERMARK ? null : watermark,
      openWindows: this.store.openWindows,
    };
  }
}

/** The running counters a trigger reports (and a checkpoint keeps). */
interface Counters {
  batch: number;
  events: number;
  late: number;
  malformed: number;
  eventsAtLastTrigger: number;
  /** µs; null before any record. */
  watermarkAtLastTrigger: number | null;
}

interface Meta extends Counters {
  watermarks: WatermarksSnapshot;
  inForce: number | null;
}

/** State-store key of the watermarks and counters (window keys start with `w:`). */
const META_KEY = 'meta';
