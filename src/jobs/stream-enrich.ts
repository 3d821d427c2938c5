import { setTimeout as sleep } from 'node:timers/promises';
import { SalesstreamError } from '../errors.js';
import { enrichedText, parseJoinPurchase, parseProductVersion } from '../stream/temporal-join-records.js';
import { TemporalJoin, type JoinOptions } from '../stream/temporal-join.js';
import type { CommitUnit, ExactlyOnceHandlers, ExactlyOnceLoop } from '../transport/exactly-once.js';
import type { LogRecord, Offsets, ProduceRecord, Transport } from '../transport/transport.js';
import { exactlyOnceLoop, TriggerLoop, type ExactlyOnceJobOptions } from './exactly-once-loop.js';
import { deadLetter, RecordReports, where } from './stream-reports.js';

export interface StreamEnrichOptions extends ExactlyOnceJobOptions<EnrichTrigger> {
  /** Products topic: the catalog, read whole by every instance (a global table). */
  catalog: string;
  join: JoinOptions;
  /** Purchases no product version matched go here, unchanged. */
  unmatched?: string;
}

export interface EnrichTrigger {
  batch: number;
  /** Purchases records this instance read (malformed included). */
  events: number;
  /** Committed: enriched records written, purchases found unmatched. */
  enriched: number;
  unmatched: number;
  /** Purchases read and not decided yet. */
  waiting: number;
  malformed: number;
  /** Product versions known, and malformed catalog records seen. */
  catalogVersions: number;
  catalogMalformed: number;
  /** The catalog's watermark, µs (null before any version). */
  catalogWatermark: number | null;
  partitions: number[];
}

/** Records read and not committed that bring the next trigger forward (a backlog commits as it goes). */
const COMMIT_AT = 5_000;
/**
 * Records read and not committed at which reading waits for a commit: what is kept in memory
 * stays bounded however fast records come (reading goes on while a commit is under way).
 */
const HOLD_AT = 2 * COMMIT_AT;
/**
 * The most records one commit covers (a trigger commits what was read in as many as needed):
 * what one commit builds stays bounded however much was read. As many as reading may hold, so a
 * trigger commits what it read in one commit, not in a full one and a small rest: a commit's
 * fixed cost (a Kafka transaction's round trips and markers) is spread over as many records as
 * are read between two (one commit per trigger ran 7 % faster than 5,000 and a rest, on Kafka).
 */
export const COMMIT_UNIT = HOLD_AT;
/** How long a trigger's catalog sync may wait for the reader to reach the catalog's end. */
const SYNC_WAIT_MS = 5_000;
/** How long the start may wait to read the catalog to its end before processing purchases. */
const START_SYNC_WAIT_MS = 120_000;

/**
 * Follows the whole catalog topic into the join's versioned catalog, and knows when it has read
 * to the end offsets the topic had at a given processing time (a sync).
 */
class CatalogFollower {
  private readonly positions: Offsets = new Map();
  private readonly reading = new AbortController();
  private failure: unknown;
  private done: Promise<void> = Promise.resolve();
  malformed = 0;
  /** The catalog holds every version written before this processing time (ms). */
  syncedAt = -Infinity;

  constructor(private readonly transport: Transport, private readonly topic: string, private readonly join: TemporalJoin, private readonly reports: RecordReports) {}

  async start(): Promise<void> {
    const ranges = await this.transport.partitions(this.topic);
    for (const r of ranges) this.positions.set(r.partition, r.start);
    this.done = this.follow(new Map(this.positions)).catch((err) => void (this.failure = err));
  }

  private async follow(from: Offsets): Promise<void> {
    for await (const batch of this.transport.read({ topic: this.topic, from, signal: this.reading.signal })) {
      for (const r of batch) this.add(r);
    }
  }

  private add(r: LogRecord): void {
    this.positions.set(r.partition, r.offset + 1);
    const parsed = parseProductVersion(r.value, r.parsed);
    if (parsed.ok) {
      this.join.catalog.add(parsed.value);
      return;
    }
    this.malformed++;
    this.reports.report('malformed catalog', `malformed catalog record ${where(r)}: ${parsed.reason} (not used)`);
  }

  /** Reads to the catalog's end offsets as of now; false when that took longer than `limit` ms or `signal` aborted. */
  async sync(limit: number, signal?: AbortSignal): Promise<boolean> {
    const asked = Date.now();
    const ends = await this.transport.partitions(this.topic);
    const deadline = Date.now() + limit;
    while (ends.some((r) => (this.positions.get(r.partition) ?? 0) < r.end)) {
      if (this.failure) throw this.failure;
      if (Date.now() > deadline || this.reading.signal.aborted || signal?.aborted) return false;
      await sleep(5);
    }
    this.syncedAt = asked;
    return true;
  }

  async stop(): Promise<void> {
    this.reading.abort();
    await this.done;
  }
}

/**
 * Each purchase joined with its product as it was at the purchase's time (issue 9), exactly
 * once: each trigger commits, per owned input partition and atomically, the enriched and
 * unmatched records, dead letters, the partition's state (waiting purchases, catalog versions)
 * and its input offset.
 */
export async function runStreamEnrich(opts: StreamEnrichOptions): Promise<EnrichTrigger> {
  const { transport, source } = opts;
  // unknown topics stop here (UsageError); the source's end offsets now are where --until-end stops
  const ranges = await transport.partitions(source);
  await transport.partitions(opts.catalog);
  const ends: Offsets | undefined = opts.untilEnd ? new Map(ranges.map((r) => [r.partition, r.end])) : undefined;
  if (opts.sink) await transport.createTopic(opts.sink, ranges.length);
  for (const topic of [opts.unmatched, opts.dlq]) if (topic) await transport.createTopic(topic, 1);
  const outputs = [opts.sink, opts.unmatched, opts.dlq].filter((t): t is string => !!t);

  const join = new TemporalJoin(opts.join);
  const reports = new RecordReports(opts.onReport);
  const catalog = new CatalogFollower(transport, opts.catalog, join, reports);
  // the whole catalog first, as Kafka Streams restores a global table before processing
  await catalog.start();
  try {
    if (!(await catalog.sync(START_SYNC_WAIT_MS, opts.signal)) && !opts.signal.aborted) {
      throw new SalesstreamError(`could not read the catalog ${opts.catalog} to its end within ${START_SYNC_WAIT_MS / 1000} s`);
    }
    const loop = await exactlyOnceLoop({ ...opts, outputs, kind: 'enrich', onWarning: opts.onReport, command: 'stream enrich' });
    return await enrich(opts, loop, join, catalog, reports, ends);
  } finally {
    await catalog.stop();
  }
}

/** Reads, joins and commits until the end, Ctrl-C or a failure. */
async function enrich(opts: StreamEnrichOptions, loop: ExactlyOnceLoop, join: TemporalJoin, catalog: CatalogFollower, reports: RecordReports, ends: Offsets | undefined): Promise<EnrichTrigger> {
  const { source } = opts;
  const deadLetters = new Map<number, { offset: number; record: ProduceRecord }[]>();
  const parse = (text: string) => {
    const p = parseJoinPurchase(text);
    return p.ok ? p.value : undefined;
  };
  let events = 0;
  let malformed = 0;
  let enriched = 0;
  let unmatched = 0;
  let batch = 0;
  let shown = '';

  // with --until-end, the trigger after the last record fires at once
  const triggers = new TriggerLoop();

  const handlers: ExactlyOnceHandlers = {
    assigned: ({ partition, next, committed, state }) => {
      join.own(partition, next, committed, state, Date.now(), parse);
      deadLetters.set(partition, []);
    },
    revoked: (partition) => {
      join.disown(partition);
      deadLetters.delete(partition);
    },
    records: (records) => {
      const now = Date.now();
      for (const r of records) {
        if (!join.owns(r.partition)) continue;
        events++;
        const parsed = parseJoinPurchase(r.value, r.parsed);
        if (parsed.ok) {
          join.add(r.partition, r.offset, r.key, r.value, parsed.value, now);
          continue;
        }
        malformed++;
        join.skip(r.partition, r.offset);
        reports.report('malformed', `malformed record ${where(r)}: ${parsed.reason}`);
        if (opts.dlq) deadLetters.get(r.partition)?.push({ offset: r.offset, record: deadLetter(r, parsed.reason) });
      }
      // a backlog commits as it goes, not once per trigger: what is read waits in memory until then
      if ((ends && join.readTo(ends)) || join.uncommitted >= COMMIT_AT) triggers.wake();
      if (join.uncommitted >= HOLD_AT) return triggers.nextCommit();
    },
    peer: () => undefined, // partitions are independent: nothing to learn from another instance's state
  };

  /** Commits one partition's records before `cut`; false when it could not (lost, or its commit failed). */
  const commitUnit = async (partition: number, cut: number): Promise<boolean> => {
    const force = ends !== undefined && cut >= (ends.get(partition) ?? 0);
    const plan = join.prepare(partition, cut, Date.now(), catalog.syncedAt, force);
    if (!plan) return true;
    const letters = (deadLetters.get(partition) ?? []).filter((l) => l.offset < cut);
    const matched: ProduceRecord[] = [];
    const missed: ProduceRecord[] = [];
    for (const d of plan.decided) {
      if (d.version) {
        matched.push({ key: d.purchase.productId, value: enrichedText(d.purchase, d.version), json: true });
        continue;
      }
      missed.push({ key: d.key, value: d.text });
      reports.report('unmatched', `unmatched purchase ${source}[${partition}]@${d.offset}: product ${d.purchase.productId} has no version at ${d.purchase.transactionTime}`);
    }
    const unit: CommitUnit = { partition, next: plan.next, state: plan.state, outputs: [] };
    if (opts.sink) unit.outputs.push({ topic: opts.sink, records: matched });
    if (opts.unmatched) unit.outputs.push({ topic: opts.unmatched, records: missed });
    if (opts.dlq) unit.outputs.push({ topic: opts.dlq, records: letters.map((l) => l.record) });
    if (!(await loop.commit(unit))) return false;
    join.committed(plan);
    enriched += matched.length;
    unmatched += missed.length;
    const left = deadLetters.get(partition);
    if (left) deadLetters.set(partition, left.filter((l) => l.offset >= cut));
    return true;
  };

  /**
   * Commits every owned partition's records read so far (with --until-end, a partition read to
   * its end decides all), in units of at most COMMIT_UNIT records: what one commit builds (its
   * enriched records) stays small however much was read.
   */
  const commitAll = async () => {
    // the cut first: every record before it was read before the catalog's end offsets were asked for
    const cuts = new Map(join.partitions.map((p) => [p, join.next(p)!]));
    await catalog.sync(SYNC_WAIT_MS);
    for (const [partition, asked] of cuts) {
      for (;;) {
        // a partition lost and restored during the sync reads again from its last commit
        const settled = join.settled(partition);
        const upTo = Math.min(asked, join.next(partition) ?? -1);
        if (settled === undefined) break;
        const cut = Math.min(upTo, settled + COMMIT_UNIT);
        if (!(await commitUnit(partition, cut)) || cut >= upTo) break;
      }
    }
  };
  const show = (force: boolean) => {
    reports.flush();
    const watermark = join.catalog.watermark(opts.join.delay);
    const result: EnrichTrigger = {
      batch, events, enriched, unmatched, waiting: join.waiting, malformed,
      catalogVersions: join.catalog.versions, catalogMalformed: catalog.malformed,
      catalogWatermark: Number.isFinite(watermark) ? watermark : null, partitions: join.partitions,
    };
    const signature = JSON.stringify({ ...result, batch: 0 });
    if (!force && signature === shown) return result;
    shown = signature;
    batch++;
    opts.onTrigger(result);
    return result;
  };

  await triggers.run({
    loop, handlers, trigger: opts.trigger, signal: opts.signal, commit: commitAll,
    // waiting purchases of partitions read to the end are decided by the commit before
    finished: ends ? async () => join.waiting === 0 && (await loop.caughtUp(ends)) : undefined,
    afterTrigger: () => show(false),
  });
  return show(true);
}
