import type { LogRecord, Transport } from '../transport/transport.js';
import { chosenPartitions, startOffsets, type StartFrom } from './positions.js';

export interface TailOptions {
  transport: Transport;
  topics: string[];
  /** Undefined = the last `lastByDefault` records (then follow, with follow). */
  from?: StartFrom;
  follow: boolean;
  count?: number;
  partition?: number;
  where: [field: string, value: string][];
  signal: AbortSignal;
  onRecord: (record: LogRecord) => void;
}

const LAST_BY_DEFAULT = 10;

/** kcat -C for both transports: prints what matches, stops at the end, the count, or Ctrl-C. */
export async function runTail(opts: TailOptions): Promise<number> {
  const stop = new AbortController();
  const signal = AbortSignal.any([opts.signal, stop.signal]);
  const matches = (r: LogRecord) => opts.where.length === 0 || matchesWhere(r.value, opts.where);
  let printed = 0;
  const emit = (r: LogRecord) => {
    if (stop.signal.aborted || !matches(r)) return;
    opts.onRecord(r);
    if (++printed === opts.count) stop.abort();
  };

  const plans = await Promise.all(opts.topics.map(async (topic) => {
    const ranges = await chosenPartitions(opts.transport, topic, opts.partition);
    const from = await startOffsets(opts.transport, topic, ranges, opts.from ?? { kind: 'last', count: LAST_BY_DEFAULT });
    const until = new Map(ranges.map((r) => [r.partition, r.end]));
    return { topic, from, until };
  }));

  if (opts.from === undefined) {
    // the last records overall, in time order across partitions and topics, like tail(1)
    const recent: LogRecord[] = [];
    for (const { topic, from, until } of plans) {
      for await (const batch of opts.transport.read({ topic, from, until, signal })) recent.push(...batch.filter(matches));
    }
    recent.sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset);
    recent.slice(-LAST_BY_DEFAULT).forEach(emit);
    if (!opts.follow) return printed;
    for (const plan of plans) plan.from = plan.until;
  }

  await Promise.all(plans.map(async ({ topic, from, until }) => {
    for await (const batch of opts.transport.read({ topic, from, until: opts.follow ? undefined : until, signal })) {
      for (const record of batch) emit(record);
      if (stop.signal.aborted) break;
    }
  }));
  return printed;
}

function matchesWhere(value: string, where: [string, string][]): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null) return false;
  const fields = parsed as Record<string, unknown>;
  return where.every(([field, wanted]) => field in fields && String(fields[field]) === wanted);
}
