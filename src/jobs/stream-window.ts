import { isoFromMicros } from '../model/timestamp.js';
import { windowRowJson } from '../stream/window-store.js';
import { WindowedSales, type WindowedSalesConfig, type WindowTrigger } from '../stream/windowed-sales.js';
import type { CommitUnit, ExactlyOnceHandlers, ExactlyOnceLoop } from '../transport/exactly-once.js';
import type { LogRecord, Offsets, PartitionRange, ProduceRecord, Transport } from '../transport/transport.js';
import { UncommittedLoop } from '../transport/uncommitted.js';
import { exactlyOnceLoop, TriggerLoop } from './exactly-once-loop.js';
import { deadLetter, RecordReports, where } from './stream-reports.js';

export interface StreamWindowOptions {
  transport: Transport;
  source: string;
  from: 'beginning' | 'end';
  /** Exactly-once: resume from this group's checkpoint (state, offsets, outputs) and commit there after each trigger. */
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
  /** Kafka consumer-group session timeout, ms (with a group). */
  sessionTimeout?: number;
  signal: AbortSignal;
  onTrigger: (result: WindowTrigger) => void;
  /** One line about one record (late, malformed) or a summary, for stderr. */
  onReport: (line: string) => void;
  /** Processing time, ms. */
  now?: () => number;
}

/**
 * The I/O around the pure WindowedSales topology: read, trigger, write outputs, commit. With a
 * group, every trigger commits in one atomic step the state changes (windows, watermarks,
 * counters), every input partition's offset and the outputs (sink upserts, late records, dead
 * letters), so a killed and restarted job ends exactly as an uninterrupted one (DESIGN §4). The
 * state spans partitions, so one instance of a group owns them all (the others wait on Kafka).
 */
export async function runStreamWindow(opts: StreamWindowOptions): Promise<WindowTrigger | undefined> {
  const { transport, source } = opts;
  const now = opts.now ?? Date.now;
  const ranges = await transport.partitions(source);
  const partitions = ranges.map((r) => r.partition).sort((a, b) => a - b);
  // the state lives with the first partition; the others' offsets commit with it
  const home = partitions[0];
  const ends: Offsets | undefined = opts.untilEnd ? new Map(ranges.map((r) => [r.partition, r.end])) : undefined;
  const outputTopics = [opts.sink, opts.lateTopic, opts.dlq].filter((t): t is string => !!t);
  const created = new Set<string>();
  for (const topic of outputTopics) if (await transport.createTopic(topic, 1)) created.add(topic);
  const loop = await processingLoop(opts, ranges, outputTopics);

  // valid only while this instance owns every partition, restored from the last commit
  let pipeline: WindowedSales | undefined;
  const positions: Offsets = new Map();
  let restored = new Map<string, string>();
  let waiting: LogRecord[] = [];
  const late: ProduceRecord[] = [];
  const dead: ProduceRecord[] = [];
  const reports = new RecordReports(opts.onReport);
  let last: WindowTrigger | undefined;
  const triggers = new TriggerLoop();
  const readToEnd = () => !!pipeline && !!ends && partitions.every((p) => positions.get(p)! >= ends.get(p)!);

  const handle = (records: LogRecord[]) => {
    const at = now();
    for (const r of records) {
      const end = ends?.get(r.partition);
      // a bounded run stops at the end offsets present at start: later records wait for the next run
      if (end !== undefined && r.offset >= end) continue;
      const outcome = pipeline!.process(r.partition, r.value, at, r.parsed);
      positions.set(r.partition, r.offset + 1);
      if (end !== undefined && r.offset + 1 >= end) pipeline!.finishPartition(r.partition);
      if (outcome.kind === 'malformed') {
        reports.report('malformed', `malformed record ${where(r)}: ${outcome.reason}`);
        if (opts.dlq) dead.push(deadLetter(r, outcome.reason));
      } else if (outcome.kind === 'late') {
        const fate = outcome.counted ? 'counted in its closed windows (complete mode keeps them)' : 'all its windows have closed';
        reports.report('late', `late record ${where(r)}: event time ${isoFromMicros(outcome.eventTime)} is behind the watermark ${isoFromMicros(outcome.watermark)}; ${fate}`);
        if (opts.lateTopic) late.push({ key: r.key, value: r.value });
      }
    }
    if (readToEnd()) triggers.wake();
  };
  const start = () => {
    const at = now();
    pipeline = new WindowedSales(opts.windowing);
    for (const p of partitions) pipeline.trackPartition(p, at);
    pipeline.restore(restored, at);
    if (opts.sink && created.delete(opts.sink) && restored.size > 0) refill(pipeline, opts.sink, opts);
    for (const p of partitions) if (ends && positions.get(p)! >= ends.get(p)!) pipeline.finishPartition(p);
    handle(waiting.splice(0));
    if (readToEnd()) triggers.wake();
  };

  const handlers: ExactlyOnceHandlers = {
    assigned: ({ partition, next, state }) => {
      positions.set(partition, next);
      if (partition === home) restored = state;
      if (partitions.every((p) => positions.has(p))) start();
    },
    revoked: (partition) => {
      // uncommitted work is void: the next owner (maybe this instance again) restores the last commit
      positions.delete(partition);
      pipeline = undefined;
      waiting = [];
      late.length = 0;
      dead.length = 0;
    },
    records: (batch) => {
      if (pipeline) handle(batch);
      else waiting.push(...batch);
    },
    peer: () => undefined,
  };

  // state, positions and outputs are taken together, before the commit's first await: records
  // processed while it is under way belong to the next one
  let ended = false;
  const fire = async (final: boolean) => {
    // the final result once: the loop commits again when it stops
    if (!pipeline || ended) return;
    const result = final ? pipeline.finish(now()) : pipeline.trigger(now());
    ended = final;
    reports.flush();
    if (!result) return;
    const unit: CommitUnit = {
      partition: home,
      next: positions.get(home)!,
      alsoNext: partitions.filter((p) => p !== home).map((p) => [p, positions.get(p)!]),
      state: pipeline.changes(),
      outputs: [],
    };
    if (opts.sink) {
      unit.outputs.push({ topic: opts.sink, records: result.upserts.map((r) => {
        const row = windowRowJson(r, isoFromMicros);
        return { key: `${row.window_start}|${row.product_id}`, value: JSON.stringify(row), json: true };
      }) });
    }
    if (opts.lateTopic) unit.outputs.push({ topic: opts.lateTopic, records: late.splice(0) });
    if (opts.dlq) unit.outputs.push({ topic: opts.dlq, records: dead.splice(0) });
    if (!(await loop.commit(unit))) return;
    last = result;
    opts.onTrigger(result);
  };

  // a waiting instance (Kafka) waits even with --until-end: it ends with the result once it has
  // the partitions. Ctrl-C or the end: the loop stops reading and commits what was read.
  await triggers.run({
    loop, handlers, trigger: opts.trigger, signal: opts.signal,
    commit: () => fire(readToEnd()),
    finished: ends ? async () => readToEnd() : undefined,
    afterTrigger: () => undefined,
  });
  return last;
}

/**
 * A sink new to a group that has committed state (another --sink, or the old one deleted) is
 * filled from the checkpoint: every kept window's rows at the next trigger. Only complete mode
 * keeps closed windows, so elsewhere those are said to be missing.
 */
function refill(pipeline: WindowedSales, sink: string, opts: StreamWindowOptions): void {
  pipeline.resendAll();
  if (opts.windowing.mode !== 'complete') {
    opts.onReport(`sink ${sink} is new to group ${opts.group}: it gets the rows of the open windows, not those of windows closed before this run (${opts.windowing.mode} mode keeps no closed windows); to rebuild it whole, run a new --group from the beginning`);
  }
}

function processingLoop(opts: StreamWindowOptions, ranges: PartitionRange[], outputs: string[]): Promise<ExactlyOnceLoop> | ExactlyOnceLoop {
  const { transport, source, group } = opts;
  if (!group) return new UncommittedLoop(transport, source, new Map(ranges.map((r) => [r.partition, opts.from === 'beginning' ? r.start : r.end])));
  return exactlyOnceLoop({
    transport, source, group, kind: 'window', from: opts.from, outputs, sessionTimeout: opts.sessionTimeout ?? 10_000, exclusive: true,
    onWarning: opts.onReport, command: 'stream window',
  });
}
