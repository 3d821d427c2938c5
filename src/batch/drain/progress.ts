// The progress line a drain shows on a terminal. Pure.
import { formatCount } from '../../render/output.js';

export interface DrainProgress {
  topic: string;
  /** Records read this run, rejects included. */
  done: number;
  total: number;
  seconds: number;
}

export function progressLine(p: DrainProgress, width = 20): string {
  const fraction = p.total > 0 ? Math.min(p.done / p.total, 1) : 1;
  const filled = Math.round(fraction * width);
  const rate = p.seconds > 0 ? Math.round(p.done / p.seconds) : 0;
  return `${p.topic} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% ` +
    `${formatCount(p.done)}/${formatCount(p.total)} · ${formatCount(rate)} records/s`;
}
