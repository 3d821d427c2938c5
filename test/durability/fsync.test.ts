// Issue 14.3: what an acknowledgement means, checked at the system calls (strace): with
// --durability strict every append to a segment is fsynced before the next one (and so before
// the run reports it written), a new segment's folder is synced, topic.json and checkpoints are
// written to a temporary file, fsynced, linked/renamed into place and their folder fsynced. With
// relaxed, a segment is fsynced once, when the writer closes.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../helpers/cli.js';

const hasStrace = (() => {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasStrace) console.warn('SKIPPED: the fsync tests need strace(1) on PATH');

interface Call {
  call: string;
  /** The file the call is about (the fd's path, or the first path argument). */
  path: string;
  /** link/rename: where to. */
  to?: string;
}

/** Runs the CLI under strace and returns its file calls in order. */
function traced(args: string[], cwd: string): Call[] {
  const out = join(cwd, 'strace.txt');
  execFileSync('strace', ['-f', '-y', '-qq', '-o', out, '-e', 'trace=pwrite64,write,fsync,fdatasync,rename,renameat,renameat2,link,linkat', process.execPath, BIN, ...args], { cwd, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
  const calls: Call[] = [];
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const fd = /^\d+ +(\w+)\(\d+<([^>]*)>/.exec(line);
    if (fd) {
      calls.push({ call: fd[1], path: fd[2] });
      continue;
    }
    const moved = /^\d+ +(rename|link)(?:at2?)?\((?:AT_FDCWD, )?"([^"]+)", (?:AT_FDCWD, )?"([^"]+)"/.exec(line);
    if (moved) calls.push({ call: moved[1], path: resolve(cwd, moved[2]), to: resolve(cwd, moved[3]) });
  }
  return calls;
}

const writes = (c: Call) => c.call === 'pwrite64' || c.call === 'write';
const syncs = (c: Call) => c.call === 'fsync' || c.call === 'fdatasync';

/** temporary file written, fsynced, then moved onto `path` with `how`, then its folder fsynced. */
function expectAtomicDurable(calls: Call[], path: string, how: 'rename' | 'link') {
  const moved = calls.findLastIndex((c) => c.call === how && c.to === path);
  expect(moved, `${how} onto ${path}`).toBeGreaterThan(-1);
  const tmp = calls[moved].path;
  const wrote = calls.findLastIndex((c, i) => i < moved && writes(c) && c.path === tmp);
  const synced = calls.findLastIndex((c, i) => i < moved && syncs(c) && c.path === tmp);
  expect(wrote, `write of ${tmp}`).toBeGreaterThan(-1);
  expect(synced, `fsync of ${tmp} after its write, before the ${how}`).toBeGreaterThan(wrote);
  const folder = path.slice(0, path.lastIndexOf('/'));
  expect(calls.findIndex((c, i) => i > moved && syncs(c) && c.path === folder), `fsync of ${folder} after the ${how}`).toBeGreaterThan(-1);
}

describe.skipIf(!hasStrace)('what an acknowledgement means, at the system calls', () => {
  it('strict: each append fsynced before the next, metadata atomic and synced; checkpoints too', () => {
    const cwd = tempDir();
    const calls = traced(['generate', '--count', '9000', '--seed', '3', '--fast', '--start-time', '2026-01-01T08:00:00Z'], cwd);
    const topic = join(cwd, '.salesstream', 'topics', 'demo.purchases');
    const segment = join(topic, '0', `${'0'.repeat(20)}.ndjson`);
    const appends = calls.flatMap((c, i) => (writes(c) && c.path === segment ? [i] : []));
    expect(appends.length, 'several batches').toBeGreaterThan(1);
    appends.forEach((at, k) => {
      const next = appends[k + 1] ?? calls.length;
      expect(calls.findIndex((c, i) => i > at && i < next && syncs(c) && c.path === segment), `fsync after append ${k}`).toBeGreaterThan(-1);
    });
    // the new segment's folder entry is synced before its first record counts
    expect(calls.findIndex((c, i) => i < appends[0] && syncs(c) && c.path === join(topic, '0'))).toBeGreaterThan(-1);
    expectAtomicDurable(calls, join(topic, 'topic.json'), 'link');

    const totals = traced(['stream', 'totals', '--until-end'], cwd);
    const state = join(cwd, '.salesstream', 'state', 'salesstream-totals', 'demo.purchases');
    expectAtomicDurable(totals, join(state, 'checkpoint.json'), 'rename');
    expectAtomicDurable(totals, join(cwd, '.salesstream', 'groups', 'salesstream-totals.json'), 'rename');
    // the sink's appends are durable before the next checkpoint can replace the one that owes them
    const sink = join(cwd, '.salesstream', 'topics', 'demo.running.totals', '0', `${'0'.repeat(20)}.ndjson`);
    const sinkAppend = totals.findIndex((c) => writes(c) && c.path === sink);
    expect(sinkAppend).toBeGreaterThan(-1);
    expect(totals.findIndex((c, i) => i > sinkAppend && syncs(c) && c.path === sink)).toBeGreaterThan(-1);
  }, 120_000);

  it('relaxed: appends are not fsynced one by one, only once when the writer closes', () => {
    const cwd = tempDir();
    const calls = traced(['generate', '--count', '9000', '--seed', '3', '--fast', '--durability', 'relaxed'], cwd);
    const segment = join(cwd, '.salesstream', 'topics', 'demo.purchases', '0', `${'0'.repeat(20)}.ndjson`);
    expect(calls.filter((c) => writes(c) && c.path === segment).length).toBeGreaterThan(1);
    const synced = calls.flatMap((c, i) => (syncs(c) && c.path === segment ? [i] : []));
    expect(synced).toHaveLength(1);
    expect(calls.findIndex((c, i) => i > synced[0] && writes(c) && c.path === segment)).toBe(-1);
  }, 120_000);
});
