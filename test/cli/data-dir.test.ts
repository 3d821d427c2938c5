import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const WRITERS = [
  ['generate', '--count', '5', '--fast'],
  ['topics', 'create', 't1'],
  ['produce', 't1'],
  ['stream', 'window', '--until-end'],
  ['stream', 'totals', '--until-end'],
  ['demo'],
];
const READERS = [
  ['tail', 'demo.purchases'],
  ['topics'],
  ['batch', 'top25'],
  ['drain', 'demo.purchases'],
  ['serve', '--port', '0'],
];

/** One line naming the path and the reason, exit 2, and soon (a hang fails by the timeout). */
async function refused(args: string[], cwd: string, path: string, reason: RegExp) {
  const r = await runCli(args, { cwd, input: '{"a":1}\n', timeoutMs: 30_000 });
  const what = `salesstream ${args.join(' ')}\n${r.stderr}`;
  expect(r.code, what).toBe(2);
  expect(r.stderr.split('\n').filter(Boolean), what).toHaveLength(1);
  expect(r.stderr, what).toContain(path);
  expect(r.stderr, what).toMatch(reason);
}

describe('an unusable data dir: one line naming the path and the reason, exit 2', () => {
  it('a file', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'data'), 'not a folder');
    for (const args of [...WRITERS, ...READERS]) await refused(['--data-dir', 'data', ...args], cwd, 'data', /is a file, not a folder/);
  }, 240_000);

  it('a folder that cannot be made (Node\'s recursive mkdir never returned on /proc)', async () => {
    const cwd = tempDir();
    for (const args of WRITERS) await refused(['--data-dir', '/proc/nope', ...args], cwd, '/proc/nope', /cannot be made: no such file or folder/);
  }, 240_000);

  it('on a missing mount: the parent folder does not exist', async () => {
    const cwd = tempDir();
    for (const args of [...WRITERS, ...READERS]) await refused(['--data-dir', 'mnt/usb/data', ...args], cwd, join(cwd, 'mnt/usb'), /does not exist/);
    expect(readdirSync(cwd)).toEqual([]);
  }, 240_000);

  it('a folder that cannot be written', async () => {
    const cwd = tempDir();
    // root writes anywhere a mode allows nothing; /proc refuses even root
    for (const args of WRITERS) await refused(['--data-dir', '/proc', ...args], cwd, '/proc', /is not writable: /);
  }, 240_000);

  it('drain --out that is a file or cannot be made', async () => {
    const cwd = tempDir();
    expect((await runCli(['produce', 't1'], { cwd, input: '{"a":1}\n' })).code).toBe(0);
    writeFileSync(join(cwd, 'out'), 'a file');
    await refused(['drain', 't1', '--out', 'out'], cwd, 'out', /is a file, not a folder/);
    await refused(['drain', 't1', '--out', '/proc/nope'], cwd, '/proc/nope', /cannot be made/);
    mkdirSync(join(cwd, 'ok'));
    expect((await runCli(['drain', 't1', '--out', 'ok'], { cwd })).code).toBe(0);
  }, 240_000);
});
