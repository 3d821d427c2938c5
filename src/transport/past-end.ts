import { SalesstreamError } from '../errors.js';
import type { Offsets, PartitionRange } from './transport.js';

/**
 * Refuses saved positions (a checkpoint, committed offsets, a drain position) past the end of
 * the log they were taken from: the log lost records they had seen — a truncated segment, or a
 * power cut after writes with --durability relaxed — and reading on from there would silently
 * skip what comes next while results saved with them still count what is gone.
 */
export function refusePastEnd(positions: Offsets, ranges: PartitionRange[], what: string, topic: string, recovery: string): void {
  for (const { partition, end } of ranges) {
    const at = positions.get(partition);
    if (at !== undefined && at > end) {
      throw new SalesstreamError(`${what} is at offset ${at} of ${topic} partition ${partition}, past the log's end ${end}: the log lost records since; ${recovery}`, 1);
    }
  }
}
