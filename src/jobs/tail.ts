import { setImmediate } from 'node:timers/promises';
import { UsageError } from '../errors.js';
import type { LogRecord, PartitionRange, Transport } from '../transport/transport.js';
import { chosenPartitions, startOffsets, type StartFrom } from './positions.js';

export interface TailOptions {
  transport: Transport;
  topics: string[];
  /** Undefined = the last `count` records (10 by default), then follow with follow. */
  from?: StartFrom;
  follow: boolean;
  /** Without from: how many of the last records; with from: stop after this many. */
  count?: number;
  partition?: number;
  where: [field: string, value: string][];
  signal: AbortSignal;
  onRecord: (record: LogRecord) => void;
  /** A line for stderr: something the user should know that is not an error. */
  onNotice?: (line: string) => void;
}

const LAST_BY_DEFAULT = 10;

/**
 * kcat -C for both transports: prints what matches, stops at the end, the count, or Ctrl-C.
 * Without a start, `count` means the last records (tail -n, as kcat users read -n).
 */
export async function runTail(opts: TailOptions): Promise<number> {
  const stop = new AbortController();
  const signal = AbortSignal.any([opts.signal, stop.signal]);
  const matches = (r: LogRecord) => opts.where.length === 0 || matchesWhere(r.value, opts.where);
  const last = opts.from === undefined ? opts.count ?? LAST_BY_DEFAULT : undefined;
  const limit = opts.from === undefined ? undefined : opts.count;
  let printed = 0;
  const emit = (r: LogRecord) => {
    if (stop.signal.aborted || !matches(r)) return;
    opts.onRecord(r);
    if (++printed === limit) stop.abort();
  };

  // the last N matching records may be anywhere: with --where, look through everything
  const start: StartFrom = opts.from ?? (opts.where.length ? { kind: 'beginning' } : { kind: 'last', count: last! });
  const plans = await Promise.all(opts.topics.map(async (topic) => {
    const ranges = await chosenPartitions(opts.transport, topic, opts.partition);
    const from = await startOffsets(opts.transport, topic, ranges, start);
    const until = new Map(ranges.map((r) => [r.partition, r.end]));
    return { topic, ranges, from, until };
  }));
  if (start.kind === 'offset') pastTheEnd(start.offset, plans, opts);

  if (last !== undefined) {
    // the last records overall, in time order across partitions and topics, like tail(1)
    let recent: LogRecord[] = [];
    const newest = () => recent.sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset).slice(-last);
    for (const { topic, from, until } of plans) {
      for await (const batch of opts.transport.read({ topic, from, until, signal })) {
        for (const r of batch) if (matches(r)) recent.push(r);
        if (recent.length > 2 * last + 10_000) recent = newest();
        await setImmediate();
      }
    }
    newest().forEach(emit);
    if (!opts.follow || signal.aborted) return printed;
    for (const plan of plans) plan.from = plan.until;
  }

  await Promise.all(plans.map(async ({ topic, from, until }) => {
    for await (const batch of opts.transport.read({ topic, from, until: opts.follow ? undefined : until, signal })) {
      for (const record of batch) emit(record);
      if (stop.signal.aborted) break;
      // a long backlog must not keep Ctrl-C out: its handler runs only when the loop yields
      await setImmediate();
    }
  }));
  return printed;
}

/** --from OFFSET beyond every partition's end: an error, or with -f a notice (kcat resets to the end). */
function pastTheEnd(offset: number, plans: { topic: string; ranges: PartitionRange[] }[], opts: TailOptions): void {
  for (const { topic, ranges } of plans) {
    if (!ranges.every((r) => offset > r.end)) continue;
    const ends = ranges.map((r) => `${topic}[${r.partition}] ends at ${r.end}`).join(', ');
    if (!opts.follow) throw new UsageError(`--from ${offset} is past the end: ${ends} (with -f, tail follows from the end)`);
    opts.onNotice?.(`--from ${offset} is past the end (${ends}): following from the end`);
  }
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
