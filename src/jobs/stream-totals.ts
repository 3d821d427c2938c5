import { parsePurchase } from '../model/purchase.js';
import { topN } from '../stream/sales.js';
import { encodeTotals, PartitionedTotals, restoreTotals, runningTotalMessage, type ProductTotals } from '../stream/totals.js';
import type { CommitUnit, ExactlyOnceHandlers } from '../transport/exactly-once.js';
import type { Offsets, ProduceRecord } from '../transport/transport.js';
import { exactlyOnceLoop, TriggerLoop, type ExactlyOnceJobOptions } from './exactly-once-loop.js';
import { deadLetter, RecordReports, where } from './stream-reports.js';

export interface StreamTotalsOptions extends ExactlyOnceJobOptions<TotalsTrigger> {
  top: number;
  /** Event times further ahead of processing time than this (µs) are malformed (--max-future). */
  maxFuture?: number;
}

export interface TotalsRow {
  productId: string;
  totals: ProductTotals;
  rank: number;
}

export interface TotalsTrigger {
  batch: number;
  /** Top N products by sales over all partitions, as this instance knows them. */
  rows: TotalsRow[];
  /** Records this instance processed, and of those the malformed ones. */
  events: number;
  malformed: number;
  /** Input partitions this instance owns. */
  partitions: number[];
}

/**
 * Running totals per product with exactly-once commits (DESIGN §4): each trigger commits, per
 * owned input partition and atomically, its state changes, the changed totals for the sink,
 * dead letters and the input offset.
 */
export async function runStreamTotals(opts: StreamTotalsOptions): Promise<TotalsTrigger> {
  const { transport, source, group } = opts;
  // an unknown source stops here (UsageError); its end offsets now are where --until-end stops
  const ranges = await transport.partitions(source);
  const ends: Offsets | undefined = opts.untilEnd ? new Map(ranges.map((r) => [r.partition, r.end])) : undefined;
  const outputs = [opts.sink, opts.dlq].filter((t): t is string => !!t);
  for (const topic of outputs) await transport.createTopic(topic, 1);
  const loop = await exactlyOnceLoop({ ...opts, outputs, kind: 'totals', onWarning: opts.onReport, command: 'stream totals' });

  const core = new PartitionedTotals();
  const deadLetters = new Map<number, ProduceRecord[]>();
  const reports = new RecordReports(opts.onReport);
  let events = 0;
  let malformed = 0;
  let eventsShown = 0;
  let batch = 0;

  // with --until-end, the trigger after the last record fires at once
  const triggers = new TriggerLoop();

  const handlers: ExactlyOnceHandlers = {
    assigned: ({ partition, next, committed, state }) => {
      core.own(partition, next, restoreTotals(state, `partition ${partition} of ${loop.description}`), committed);
      deadLetters.set(partition, []);
    },
    revoked: (partition) => {
      core.disown(partition);
      deadLetters.delete(partition);
    },
    records: (records) => {
      const notAfter = opts.maxFuture === undefined ? undefined : Date.now() * 1000 + opts.maxFuture;
      for (const r of records) {
        if (!core.owns(r.partition)) continue;
        events++;
        const parsed = parsePurchase(r.value, r.parsed, notAfter);
        if (parsed.ok) {
          core.add(r.partition, r.offset, parsed.value);
          continue;
        }
        malformed++;
        core.skip(r.partition, r.offset);
        reports.report('malformed', `malformed record ${where(r)}: ${parsed.reason}`);
        if (opts.dlq) deadLetters.get(r.partition)?.push(deadLetter(r, parsed.reason));
      }
      if (ends && core.readTo(ends)) triggers.wake();
    },
    peer: (partition, productId, value) => {
      const [t] = restoreTotals(new Map([[productId, value]]), `partition ${partition} of ${loop.description}`).values();
      core.observe(partition, productId, t);
    },
  };

  // one unit per partition, in turn: each sink total adds the committed state of the others
  const commitAll = async () => {
    let reconcile = true;
    for (const partition of core.partitions) {
      const letters = deadLetters.get(partition) ?? [];
      const plan = core.prepare(partition, reconcile, letters.length > 0);
      if (!plan) continue;
      const unit: CommitUnit = {
        partition,
        next: plan.next,
        state: plan.state.map(([k, t]) => [k, encodeTotals(k, t)]),
        outputs: [],
      };
      if (opts.sink) unit.outputs.push({ topic: opts.sink, records: plan.sink.map(([k, t]) => ({ key: k, value: JSON.stringify(runningTotalMessage(k, t)), json: true })) });
      if (opts.dlq) unit.outputs.push({ topic: opts.dlq, records: letters.splice(0) });
      if (await loop.commit(unit)) {
        core.committed(plan);
        reconcile = false;
      }
    }
  };
  const show = (force: boolean) => {
    reports.flush();
    if (!force && events === eventsShown) return undefined;
    eventsShown = events;
    const rows = topN(core.current(), opts.top);
    const result: TotalsTrigger = { batch: batch++, rows, events, malformed, partitions: core.partitions };
    opts.onTrigger(result);
    return result;
  };

  await triggers.run({
    loop, handlers, trigger: opts.trigger, signal: opts.signal, commit: commitAll,
    finished: ends ? () => loop.caughtUp(ends) : undefined,
    afterTrigger: () => show(false),
  });
  return show(true)!;
}
