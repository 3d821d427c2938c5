import { readFileSync } from 'node:fs';

/** Linux reports process start times in clock ticks of USER_HZ, which is 100 on every platform. */
const TICKS_PER_SECOND = 100;

let bootTimeMs: number | undefined;

/** When a process started (ms since the epoch), from /proc; undefined where /proc is not there. */
export function processStartMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = Number(fields[19]); // field 22 of stat(5)
    bootTimeMs ??= Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))![1]) * 1000;
    return bootTimeMs + (startTicks / TICKS_PER_SECOND) * 1000;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when `pid` runs and is the process that was running at `sinceMs` — not a later process
 * that was given the same pid. Start times are whole clock ticks: a second of slack.
 */
export function isRunningSince(pid: number, sinceMs: number): boolean {
  if (!isAlive(pid)) return false;
  const started = processStartMs(pid);
  return started === undefined || started <= sinceMs + 1000;
}
