import { parseTimestamp } from '../../src/model/timestamp.js';

export interface TruthLine {
  topic: string;
  partition: number;
  offset: number;
  kind: 'late' | 'duplicate' | 'malformed';
  transaction_time?: string;
  delay_ms?: number;
  stream_time?: string | null;
  of?: { partition: number; offset: number };
  damage?: string;
  field?: string;
}

/**
 * The late records a one-partition `stream window --size S --slide D --watermark W` must count,
 * from the truth file alone (README, generate): a late record with event time t is late when the
 * last window holding it, ending at floor(t / D)·D + S, ends at or before stream_time − W.
 */
export function predictedLate(truth: TruthLine[], { size, slide, watermark }: { size: number; slide: number; watermark: number }): number {
  return truth.filter((l) => {
    if (l.kind !== 'late' || !l.stream_time) return false;
    const t = parseTimestamp(l.transaction_time!)!;
    const lastEnd = Math.floor(t / slide) * slide + size;
    return lastEnd <= parseTimestamp(l.stream_time)! - watermark;
  }).length;
}
