import { parsePurchase, type Purchase } from '../model/purchase.js';
import { NO_WATERMARK, PartitionWatermarks } from './watermark.js';
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
  /** Event times further ahead of processing time than this (µs) are malformed (--max-future); undefined: no limit. */
  maxFuture?: number;
}

/** What a step did with one record (STYLE: nothing disappears silently). */
export type RecordOutcome =
  | { kind: 'added'; windows: number; eventTime: number }
  /** No window of the record's was still open: its end ≤ the watermark before the record. */
  | { kind: 'late'; eventTime: number; watermark: number }
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
  private batch = 0;
  private events = 0;
  private late = 0;
  private malformed = 0;
  private eventsAtLastTrigger = -1;
  private watermarkAtLastTrigger = NO_WATERMARK;

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
      this.events++;
      this.malformed++;
      return { kind: 'malformed', reason: parsed.reason };
    }
    return this.processPurchase(partition, parsed.value, now);
  }

  processPurchase(partition: number, purchase: Purchase, now: number): RecordOutcome {
    this.events++;
    // the record sees the watermark as it stood before it (DESIGN §4)
    const before = this.marks.current(now);
    const joined = this.store.add(purchase, before);
    this.marks.observe(partition, purchase.eventTime, now);
    this.store.closeThrough(this.marks.current(now));
    if (joined === 0) {
      this.late++;
      return { kind: 'late', eventTime: purchase.eventTime, watermark: before };
    }
    return { kind: 'added', windows: joined, eventTime: purchase.eventTime };
  }

  /** A processing-time trigger: undefined when nothing happened since the last one. */
  trigger(now: number): WindowTrigger | undefined {
    const watermark = this.marks.current(now);
    this.store.closeThrough(watermark);
    if (this.events === this.eventsAtLastTrigger && watermark === this.watermarkAtLastTrigger) return undefined;
    return this.result(watermark);
  }

  /** End of a bounded input (--until-end): every window closes and the final result is emitted. */
  finish(now: number): WindowTrigger {
    const watermark = this.marks.current(now);
    this.store.closeAll();
    return this.result(watermark);
  }

  private result(watermark: number): WindowTrigger {
    this.eventsAtLastTrigger = this.events;
    this.watermarkAtLastTrigger = watermark;
    const { rows, upserts } = this.store.emit();
    return {
      batch: this.batch++,
      rows,
      upserts,
      events: this.events,
      late: this.late,
      malformed: this.malformed,
      watermark: watermark === NO_WATERMARK ? null : watermark,
      openWindows: this.store.openWindows,
    };
  }
}
