import { UsageError } from '../errors.js';
import type { Offsets, PartitionRange, Transport } from '../transport/transport.js';

/** Where to start reading, as `--from` spells it (kcat's -o, with Spark's names). */
export type StartFrom =
  | { kind: 'beginning' }
  | { kind: 'end' }
  | { kind: 'offset'; offset: number }
  | { kind: 'last'; count: number }
  | { kind: 'time'; ms: number };

/** Per-partition start offsets for `from`, over the chosen partitions only. */
export async function startOffsets(transport: Transport, topic: string, ranges: PartitionRange[], from: StartFrom): Promise<Offsets> {
  const byTime = from.kind === 'time' ? await transport.offsetsForTime(topic, from.ms) : undefined;
  return new Map(ranges.map((r) => {
    switch (from.kind) {
      case 'beginning': return [r.partition, r.start];
      case 'end': return [r.partition, r.end];
      case 'offset': return [r.partition, Math.min(Math.max(from.offset, r.start), r.end)];
      case 'last': return [r.partition, Math.max(r.start, r.end - from.count)];
      case 'time': return [r.partition, byTime!.get(r.partition) ?? r.end];
    }
  }));
}

/** The partitions of a topic to read: all, or the one named by --partition. */
export async function chosenPartitions(transport: Transport, topic: string, partition?: number): Promise<PartitionRange[]> {
  const ranges = await transport.partitions(topic);
  if (partition === undefined) return ranges;
  const range = ranges.find((r) => r.partition === partition);
  if (!range) throw new UsageError(`--partition ${partition} does not exist: ${topic} has partitions 0 to ${ranges.length - 1}`);
  return [range];
}
