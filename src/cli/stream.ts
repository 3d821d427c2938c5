import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { runStreamTotals, type TotalsTrigger } from '../jobs/stream-totals.js';
import { runStreamWindow } from '../jobs/stream-window.js';
import { runStreamEnrich, type EnrichTrigger } from '../jobs/stream-enrich.js';
import { checkGroupId, checkTopicName } from '../model/names.js';
import { formatTimestamp, isoFromMicros } from '../model/timestamp.js';
import { formatCount } from '../render/output.js';
import { LiveView } from '../render/live-view.js';
import { totalsFrame, windowFrame } from '../render/stream-tables.js';
import { OUTPUT_MODES, windowRowJson, type OutputMode } from '../stream/window-store.js';
import { WATERMARK_ADVANCES, type WindowTrigger } from '../stream/windowed-sales.js';
import { SlidingWindows } from '../stream/windows.js';
import { configFor, interruptSignal, withTransport } from './context.js';
import { boundHeapGrowth } from './heap.js';
import { duration, oneOf, wholeNumber } from './values.js';

interface WindowFlags {
  size: string;
  slide?: string;
  watermark: string;
  trigger: string;
  outputMode: string;
  top: string;
  source?: string;
  from: string;
  group?: string;
  untilEnd?: boolean;
  sink?: string;
  lateTopic?: string;
  dlq?: string;
  idleTimeout: string;
  maxFuture: string;
  format?: string;
  sessionTimeout: string;
  watermarkAdvance: string;
  redraw: boolean;
}

interface TotalsFlags {
  source?: string;
  group: string;
  from: string;
  trigger: string;
  untilEnd?: boolean;
  sink: string | false;
  dlq?: string;
  top: string;
  format?: string;
  sessionTimeout: string;
  maxFuture: string;
}

interface EnrichFlags {
  source?: string;
  catalog?: string;
  group: string;
  from: string;
  trigger: string;
  untilEnd?: boolean;
  sink: string | false;
  unmatched?: string;
  dlq?: string;
  watermark: string;
  maxWait: string;
  format?: string;
  sessionTimeout: string;
}

const MICROS_PER_MS = 1000;

/** --max-future (README): a duration, or none (the default: synthetic `generate --fast` data runs ahead of the clock by design). */
const MAX_FUTURE_HELP = 'event times further ahead of processing time than this are malformed: counted, sent to --dlq (none: no limit)';
const maxFuture = (text: string) => (text === 'none' ? undefined : duration('--max-future', text) * MICROS_PER_MS);

export function registerStream(program: Command): void {
  const stream = program.command('stream').description('event-time stream processing: sliding windows (Spark job), exactly-once running totals (Kafka Streams app) and enrichment (Flink job)');

  stream
    .command('window')
    .description('sales per product in event-time sliding windows, top N per window, emitted every trigger')
    .option('--size <duration>', 'window size', '10m')
    .option('--slide <duration>', 'window slide (default: the size, i.e. tumbling windows)')
    .option('--watermark <duration>', 'allowed lateness: watermark = latest event time − this', '10m')
    .option('--trigger <duration>', 'emit results every this much processing time', '1m')
    .option('--output-mode <mode>', 'complete, update or append (as Spark); complete keeps every window, so late records still count there', 'complete')
    .option('--watermark-advance <when>', 'record (after every record) or trigger (only between triggers, as Spark\'s micro-batches)', 'record')
    .option('--top <n>', 'products per window', '10')
    .option('--source <topic>', 'purchases topic (default: the configured purchases topic)')
    .option('--from <where>', 'beginning or end (without committed offsets of --group)', 'beginning')
    .option('--group <id>', 'exactly-once: resume from this group\'s checkpoint (windows, watermark, offsets) and commit there every trigger')
    .option('--until-end', 'read to the end offsets present at start, emit the final result, exit')
    .option('--sink <topic>', 'also write result rows to this topic, keyed by window start and product (upserts)')
    .option('--late-topic <topic>', 'copy late records here')
    .option('--dlq <topic>', 'copy malformed records here, with where they came from and why')
    .option('--idle-timeout <duration>', 'a partition silent this long stops holding the watermark back', '30s')
    .option('--max-future <duration>', MAX_FUTURE_HELP, 'none')
    .option('--format <format>', 'table or json (default: table on a terminal, json otherwise)')
    .option('--no-redraw', 'append each batch\'s table instead of redrawing one in place (as Spark\'s console sink)')
    .option('--session-timeout <duration>', 'Kafka consumer-group session timeout (with --group): how soon a waiting instance takes over from a dead one', '10s')
    .action(async (flags: WindowFlags, command: Command) => {
      checkNames(flags);
      const config = configFor(command);
      const size = duration('--size', flags.size);
      const slide = flags.slide === undefined ? size : duration('--slide', flags.slide);
      if (slide > size) throw new UsageError(`--slide ${flags.slide} is larger than --size ${flags.size}: the slide must be at most the size`);
      if (size % slide !== 0) throw new UsageError(`--size ${flags.size} is not a multiple of --slide ${flags.slide}: use a slide that divides the size, like 5m for 10m`);
      const options = {
        windows: SlidingWindows.of(size * MICROS_PER_MS, slide * MICROS_PER_MS),
        delay: duration('--watermark', flags.watermark, { allowZero: true }) * MICROS_PER_MS,
        trigger: duration('--trigger', flags.trigger),
        mode: oneOf('--output-mode', flags.outputMode, OUTPUT_MODES) as OutputMode,
        advance: oneOf('--watermark-advance', flags.watermarkAdvance, WATERMARK_ADVANCES),
        top: wholeNumber('--top', flags.top, 1),
        from: oneOf('--from', flags.from, ['beginning', 'end'] as const),
        idleTimeout: duration('--idle-timeout', flags.idleTimeout),
        maxFuture: maxFuture(flags.maxFuture),
        format: outputFormat(flags.format),
        sessionTimeout: duration('--session-timeout', flags.sessionTimeout),
      };
      if (flags.group?.trim() === '') throw new UsageError('--group must not be empty');
      const source = flags.source ?? config.topics.purchases;
      const view = new LiveView({ format: options.format, redraw: flags.redraw });
      let previous: { events: number; at: number } = { events: 0, at: Date.now() };
      await withTransport(config, (transport) => runStreamWindow({
        transport,
        source,
        from: options.from,
        group: flags.group,
        untilEnd: Boolean(flags.untilEnd),
        trigger: options.trigger,
        windowing: { windows: options.windows, delay: options.delay, idleTimeout: options.idleTimeout, top: options.top, mode: options.mode, maxFuture: options.maxFuture, advance: options.advance },
        sink: flags.sink,
        lateTopic: flags.lateTopic,
        dlq: flags.dlq,
        sessionTimeout: options.sessionTimeout,
        signal: interruptSignal(),
        onReport: (line) => view.report(`salesstream: ${line}`),
        onTrigger: (t) => {
          const at = Date.now();
          const rate = (t.events - previous.events) / Math.max((at - previous.at) / 1000, 1e-3);
          previous = { events: t.events, at };
          view.show(windowJson(t), (size) => windowFrame(t, rate, size));
        },
      }));
    });

  stream
    .command('totals')
    .description('running totals per product (the Kafka Streams demo), written exactly-once to a topic')
    .option('--source <topic>', 'purchases topic (default: the configured purchases topic)')
    .option('--group <id>', 'consumer group: instances in one group share the partitions; it holds the committed offsets', 'salesstream-totals')
    .option('--from <where>', 'beginning or end, for partitions without committed offsets', 'beginning')
    .option('--trigger <duration>', 'commit and show the totals every this much processing time', '1s')
    .option('--until-end', 'process to the end offsets present at start, commit, exit')
    .option('--sink <topic>', 'running-totals topic, keyed by product_id', 'demo.running.totals')
    .option('--no-sink', 'write no running totals (state and offsets are still committed)')
    .option('--dlq <topic>', 'copy malformed records here, with where they came from and why')
    .option('--top <n>', 'products shown', '10')
    .option('--format <format>', 'table or json (default: table on a terminal, json otherwise)')
    .option('--max-future <duration>', MAX_FUTURE_HELP, 'none')
    .option('--session-timeout <duration>', 'Kafka consumer-group session timeout: how soon a dead instance\'s partitions move', '10s')
    .action(async (flags: TotalsFlags, command: Command) => {
      checkNames(flags);
      const config = configFor(command);
      const options = {
        from: oneOf('--from', flags.from, ['beginning', 'end'] as const),
        trigger: duration('--trigger', flags.trigger),
        top: wholeNumber('--top', flags.top, 1),
        format: outputFormat(flags.format),
        maxFuture: maxFuture(flags.maxFuture),
        sessionTimeout: duration('--session-timeout', flags.sessionTimeout),
      };
      const view = new LiveView({ format: options.format, redraw: true });
      await withTransport(config, (transport) => runStreamTotals({
        transport,
        source: flags.source ?? config.topics.purchases,
        group: flags.group,
        from: options.from,
        untilEnd: Boolean(flags.untilEnd),
        trigger: options.trigger,
        top: options.top,
        sink: flags.sink === false ? undefined : flags.sink,
        dlq: flags.dlq,
        maxFuture: options.maxFuture,
        sessionTimeout: options.sessionTimeout,
        signal: interruptSignal(),
        onReport: (line) => view.report(`salesstream: ${line}`),
        onTrigger: (t) => view.show(totalsJson(t), (size) => totalsFrame(t, size)),
      }));
    });

  registerEnrich(stream);
}

function registerEnrich(stream: Command): void {
  stream
    .command('enrich')
    .description('each purchase joined with its product as it was at the purchase\'s time (the Flink job, as an event-time temporal join), exactly-once')
    .option('--source <topic>', 'purchases topic (default: the configured purchases topic)')
    .option('--catalog <topic>', 'products topic, read whole by every instance (default: the configured products topic)')
    .option('--group <id>', 'consumer group: instances in one group share the purchases partitions; it holds the committed offsets', 'salesstream-enrich')
    .option('--from <where>', 'beginning or end, for partitions without committed offsets', 'beginning')
    .option('--trigger <duration>', 'commit and report every this much processing time', '1s')
    .option('--until-end', 'process to the end offsets present at start, decide every waiting purchase, commit, exit')
    .option('--sink <topic>', 'enriched purchases topic, keyed by product_id', 'demo.purchases.enriched')
    .option('--no-sink', 'write no enriched records (state and offsets are still committed)')
    .option('--unmatched <topic>', 'copy purchases no product version matches here (otherwise they are reported and counted)')
    .option('--dlq <topic>', 'copy malformed purchases here, with where they came from and why')
    .option('--watermark <duration>', 'allowed lateness of catalog versions: the catalog\'s watermark = its latest event time − this', '10m')
    .option('--max-wait <duration>', 'how long a purchase whose product has no version yet waits for one (processing time)', '30s')
    .option('--format <format>', 'table or json (default: table on a terminal, json otherwise)')
    .option('--session-timeout <duration>', 'Kafka consumer-group session timeout: how soon a dead instance\'s partitions move', '10s')
    .action(async (flags: EnrichFlags, command: Command) => {
      boundHeapGrowth();
      checkNames(flags);
      const config = configFor(command);
      const options = {
        from: oneOf('--from', flags.from, ['beginning', 'end'] as const),
        trigger: duration('--trigger', flags.trigger),
        delay: duration('--watermark', flags.watermark, { allowZero: true }) * MICROS_PER_MS,
        maxWait: duration('--max-wait', flags.maxWait, { allowZero: true }),
        format: outputFormat(flags.format),
        sessionTimeout: duration('--session-timeout', flags.sessionTimeout),
      };
      const view = new LiveView({ format: options.format, redraw: true });
      await withTransport(config, (transport) => runStreamEnrich({
        transport,
        source: flags.source ?? config.topics.purchases,
        catalog: flags.catalog ?? config.topics.products,
        group: flags.group,
        from: options.from,
        untilEnd: Boolean(flags.untilEnd),
        trigger: options.trigger,
        join: { delay: options.delay, maxWait: options.maxWait },
        sink: flags.sink === false ? undefined : flags.sink,
        unmatched: flags.unmatched,
        dlq: flags.dlq,
        sessionTimeout: options.sessionTimeout,
        signal: interruptSignal(),
        onReport: (line) => view.report(`salesstream: ${line}`),
        onTrigger: (t) => view.show(enrichJson(t), () => [enrichLine(t)]),
      }));
    });
}

function enrichJson(t: EnrichTrigger) {
  return {
    batch: t.batch, events: t.events, enriched: t.enriched, waiting: t.waiting, unmatched: t.unmatched, malformed: t.malformed,
    catalog_versions: t.catalogVersions, catalog_malformed: t.catalogMalformed,
    catalog_watermark: t.catalogWatermark === null ? null : isoFromMicros(t.catalogWatermark), partitions: t.partitions,
  };
}

function enrichLine(t: EnrichTrigger): string {
  const watermark = t.catalogWatermark === null ? 'none yet' : isoFromMicros(t.catalogWatermark);
  return `batch ${t.batch} · events ${formatCount(t.events)} · enriched ${formatCount(t.enriched)} · waiting ${formatCount(t.waiting)} · unmatched ${formatCount(t.unmatched)} · malformed ${formatCount(t.malformed)} · catalog ${formatCount(t.catalogVersions)} versions, watermark ${watermark} · partitions ${t.partitions.join(',') || 'none'}`;
}

/** Every topic and group a stream job is given, checked before anything is opened. */
function checkNames(flags: { source?: string; catalog?: string; sink?: string | false; lateTopic?: string; unmatched?: string; dlq?: string; group?: string }): void {
  const topics = [['--source', flags.source], ['--catalog', flags.catalog], ['--sink', flags.sink], ['--late-topic', flags.lateTopic], ['--unmatched', flags.unmatched], ['--dlq', flags.dlq]] as const;
  for (const [flag, name] of topics) if (typeof name === 'string') checkTopicName(name, flag);
  if (flags.group !== undefined) checkGroupId(flags.group, '--group');
}

function outputFormat(text: string | undefined): 'table' | 'json' {
  if (text === undefined) return process.stdout.isTTY ? 'table' : 'json';
  return oneOf('--format', text, ['table', 'json'] as const);
}

function windowJson(t: WindowTrigger) {
  return {
    batch: t.batch,
    rows: t.rows.map((r) => windowRowJson(r, isoFromMicros)),
    events: t.events,
    late: t.late,
    malformed: t.malformed,
    watermark: t.watermark === null ? null : isoFromMicros(t.watermark),
  };
}

function totalsJson(t: TotalsTrigger) {
  return {
    batch: t.batch,
    rows: t.rows.map((r) => ({
      product_id: r.productId, transactions: r.totals.transactions, quantities: r.totals.quantities, sales: r.totals.salesCents / 100, event_time: formatTimestamp(r.totals.eventTime), rank: r.rank,
    })),
    events: t.events,
    malformed: t.malformed,
    partitions: t.partitions,
  };
}
