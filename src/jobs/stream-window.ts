import { isoFromMicros } from '../model/timestamp.js';
import { windowRowJson } from '../stream/window-store.js';
import { WindowedSales, type WindowedSalesConfig, type WindowTrigger } from '../stream/windowed-sales.js';
import type { Offsets, ProduceRecord, Transport, Writer } from '../transport/transport.js';
import { deadLetter, RecordReports, where, yieldToEventLoop } from './stream-reports.js';

export interface StreamWindowOptions {
  transport: Transport;
  source: string;
  from: 'beginning' | 'end';
  /** Resume from this group's committed offsets, and commit there after each trigger. */
  group?: string;
  /** Read to the end offsets present at start, emit the final result, return. */
  untilEnd: boolean;
  /** Processing-time trigger interval, ms. */
  trigger: number;
  windowing: WindowedSalesConfig;
  /** Upsert sink: rows keyed by window start and product. */
  sink?: string;
  lateTopic?: string;
  dlq?: string;
  signal: AbortSignal;
  onTrigger: (result: WindowTrigger) => void;
  /** One line about one record (late, malformed) or a summary, for stderr. */
  onReport: (line: string) => void;
  /** Processing time, ms. */
  now?: () => number;
}

/** The I/O around the pure WindowedSales topology: read, trigger, write outputs, commit. */
export async function runStreamWindow(opts: StreamWindowOptions): Promise<WindowTrigger | undefined> {
  const { transport, source } = opts;
  const now = opts.now ?? Date.now;
  const ranges = await transport.partitions(source);
  const from: Offsets = new Map(ranges.map((r) => [r.partition, opts.from === 'beginning' ? r.start : r.end]));
  if (opts.group) {
    for (const [p, offset] of await transport.committed(opts.group, source)) if (from.has(p)) from.set(p, offset);
  }
  const until: Offsets | undefined = opts.untilEnd ? new Map(ranges.map((r) => [r.partition, r.end])) : undefined;
  const outputTopics = [opts.sink, opts.lateTopic, opts.dlq].filter((t): t is string => !!t);
  for (const topic of outputTopics) await transport.createTopic(topic, 1);

  const pipeline = new WindowedSales(opts.windowing);
  const started = now();
  for (const r of ranges) {
    pipeline.trackPartition(r.partition, started);
    if (until && from.get(r.partition)! >= until.get(r.partition)!) pipeline.finishPartition(r.partition);
  }
  const positions: Offsets = new Map(from);
  const reports = new RecordReports(opts.onReport);
  const pending = new Map<string, ProduceRecord[]>(outputTopics.map((t) => [t, []]));
  let writer: Writer | undefined;
  let last: WindowTrigger | undefined;

  const fire = async (final: boolean) => {
    const result = final ? pipeline.finish(now()) : pipeline.trigger(now());
    if (result && opts.sink) {
      pending.get(opts.sink)!.push(...result.upserts.map((r) => {
        const row = windowRowJson(r, isoFromMicros);
        return { key: `${row.window_start}|${row.product_id}`, value: JSON.stringify(row), json: true };
      }));
    }
    for (const [topic, records] of pending) {
      if (records.length === 0) continue;
      writer ??= await transport.writer();
      await writer.send(topic, records.splice(0));
    }
    // outputs first, then offsets: a crash in between repeats outputs, never loses them
    if (opts.group) await transport.commit(opts.group, source, positions);
    reports.flush();
    if (result) {
      last = result;
      opts.onTrigger(result);
    }
  };

  // triggers run one at a time, between batches or from the timer when no record comes
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  const schedule = (final: boolean) => (chain = chain.then(() => fire(final)).catch((err) => void (failure ??= err)));
  let nextTrigger = started + opts.trigger;
  const timer = setInterval(() => {
    if (now() >= nextTrigger) {
      nextTrigger = now() + opts.trigger;
      schedule(false);
    }
  }, Math.min(opts.trigger, 250));

  try {
    for await (const batch of transport.read({ topic: source, from, until, signal: opts.signal })) {
      const at = now();
      for (const r of batch) {
        const outcome = pipeline.process(r.partition, r.value, at, r.parsed);
        positions.set(r.partition, r.offset + 1);
        if (until && r.offset + 1 >= until.get(r.partition)!) pipeline.finishPartition(r.partition);
        if (outcome.kind === 'malformed') {
          reports.report('malformed', `malformed record ${where(r)}: ${outcome.reason}`);
          if (opts.dlq) pending.get(opts.dlq)!.push(deadLetter(r, outcome.reason));
        } else if (outcome.kind === 'late') {
          reports.report('late', `late record ${where(r)}: event time ${isoFromMicros(outcome.eventTime)} is behind the watermark ${isoFromMicros(outcome.watermark)}; all its windows have closed`);
          if (opts.lateTopic) pending.get(opts.lateTopic)!.push({ key: r.key, value: r.value });
        }
      }
      if (at >= nextTrigger) {
        nextTrigger = at + opts.trigger;
        await schedule(false);
      }
      if (failure) throw failure;
      await yieldToEventLoop();
    }
    clearInterval(timer);
    await schedule(Boolean(until) && !opts.signal.aborted);
    if (failure) throw failure;
  } finally {
    clearInterval(timer);
    await chain;
    await writer?.close();
  }
  return last;
}
