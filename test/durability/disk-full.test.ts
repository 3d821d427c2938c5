// Issue 14.2 and 14.13: a full disk, a read-only file system and a data dir under a file give
// one clear line and a fitting exit code; a failed commit leaves the previous checkpoint in
// place and no temporary file, and a later run after space is freed ends exact.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonLines, runCli, tempDir } from '../helpers/cli.js';
import { latestByKey, totalsResult } from '../stream/reference.js';
import { canMount, smallDisk } from './small-disk.js';

/** Fills the file system holding `dir`, leaving about `spare` bytes free; returns the filler's path. */
function fill(dir: string, spare: number): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 1);
  let size = 0;
  try {
    for (;;) size += writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  ftruncateSync(fd, Math.max(size - spare, 0));
  closeSync(fd);
  return path;
}

const oneLine = (stderr: string) => expect(stderr.trim().split('\n'), stderr).toHaveLength(1);

describe('file system failures on the embedded log', () => {
  it('a topic folder that cannot be made (a file in its way): one line, exit 2', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'data'));
    writeFileSync(join(cwd, 'data', 'topics'), 'a file');
    const r = await runCli(['--data-dir', join(cwd, 'data'), 'generate', '--count', '5', '--fast'], { cwd });
    expect(r.code, r.stderr).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/^salesstream: cannot create topic demo\.products in the embedded log at .*: a part of the path is a file, not a folder \(ENOTDIR\)/);
  });

  describe.skipIf(!canMount)('on a small disk', () => {
    let disk: ReturnType<typeof smallDisk> | undefined;
    afterEach(() => disk?.unmount());

    it('stream totals on a full disk exits 1 with one line, keeps its checkpoint, and ends exact once space is freed', async () => {
      disk = smallDisk(1024 * 1024);
      const cwd = tempDir();
      const data = ['--data-dir', disk.dir];
      const ok = async (args: string[]) => {
        const r = await runCli([...data, ...args], { cwd });
        expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
        return r;
      };
      await ok(['generate', '--count', '200', '--seed', '5', '--fast', '--start-time', '2026-01-01T08:00:00Z']);
      await ok(['stream', 'totals', '--until-end']);
      const state = join(disk.dir, 'state', 'salesstream-totals', 'demo.purchases');
      const committed = readFileSync(join(state, 'checkpoint.json'), 'utf8');
      await ok(['generate', '--count', '300', '--seed', '6', '--fast', '--start-time', '2026-01-01T12:00:00Z']);

      // room for the data dir's writability probe and little more: the commit's checkpoint does not fit
      const filler = fill(disk.dir, 4096);
      const full = await runCli([...data, 'stream', 'totals', '--until-end'], { cwd });
      expect(full.code, full.stderr).toBe(1);
      oneLine(full.stderr);
      expect(full.stderr).toMatch(/^salesstream: cannot commit group salesstream-totals's checkpoint .*: no space left on device \(ENOSPC\).*; free some space and run again$/m);
      expect(readFileSync(join(state, 'checkpoint.json'), 'utf8')).toBe(committed);
      expect(readdirSync(state).filter((n) => n.startsWith('checkpoint.json.'))).toEqual([]);
      const gen = await runCli([...data, 'generate', '--count', '50', '--fast'], { cwd });
      expect(gen.code, gen.stderr).toBe(1);
      oneLine(gen.stderr);
      expect(gen.stderr).toMatch(/^salesstream: cannot write to topic demo\.\w+ in the embedded log at .*: no space left on device \(ENOSPC\); free some space and run again$/m);

      rmSync(filler);
      await ok(['stream', 'totals', '--until-end']);
      const tail = async (topic: string) => jsonLines((await ok(['tail', topic, '--from', 'beginning', '--format', 'json'])).stdout);
      const input = (await tail('demo.purchases')).map((e) => JSON.stringify(e.value));
      expect(latestByKey(await tail('demo.running.totals'))).toEqual(totalsResult(input));
    }, 180_000);

    it('a read-only file system: one line, exit 2', async () => {
      disk = smallDisk(256 * 1024);
      execFileSync('mount', ['-o', 'remount,ro', disk.dir]);
      const cwd = tempDir();
      const r = await runCli(['--data-dir', join(disk.dir, 'data'), 'generate', '--count', '5', '--fast'], { cwd });
      expect(r.code, r.stderr).toBe(2);
      oneLine(r.stderr);
      expect(r.stderr).toMatch(/read-only file system \(EROFS\)/);
      expect(existsSync(join(disk.dir, 'data'))).toBe(false);
    });
  });
});
