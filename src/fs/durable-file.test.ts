import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canMount, smallDisk } from '../../test/durability/small-disk.js';
import { removeStaleTemps, tempPath, writeAll, writeFileAtomic } from './durable-file.js';
import { openSync, closeSync } from 'node:fs';

describe('writeFileAtomic', () => {
  it('replaces a file whole and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'durable-'));
    const path = join(dir, 'state.json');
    writeFileAtomic(path, 'old');
    writeFileAtomic(path, '{"new":true}');
    expect(readFileSync(path, 'utf8')).toBe('{"new":true}');
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  describe.skipIf(!canMount)('on a full disk', () => {
    let disk: ReturnType<typeof smallDisk> | undefined;
    afterEach(() => disk?.unmount());

    it('keeps the old content, removes its temporary file and says ENOSPC', () => {
      disk = smallDisk(16 * 1024);
      const path = join(disk.dir, 'checkpoint.json');
      writeFileAtomic(path, 'good');
      expect(() => writeFileAtomic(path, 'x'.repeat(64 * 1024))).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
      expect(readFileSync(path, 'utf8')).toBe('good');
      expect(readdirSync(disk.dir)).toEqual(['checkpoint.json']);
    });

    it('writeAll refuses a write that does not fit instead of keeping a prefix unnoticed', () => {
      disk = smallDisk(16 * 1024);
      const fd = openSync(join(disk.dir, 'segment'), 'w');
      try {
        expect(() => writeAll(fd, Buffer.alloc(64 * 1024, 1), 0)).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
      } finally {
        closeSync(fd);
      }
    });
  });
});

describe('removeStaleTemps', () => {
  it('removes the temporary files of processes that are gone and keeps those of live ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'durable-'));
    const path = join(dir, 'checkpoint.json');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(tempPath(path, gone), 'partial');
    writeFileSync(tempPath(path, process.ppid), 'in flight');
    writeFileSync(join(dir, 'checkpoint.json.notapid'), 'unrelated');
    removeStaleTemps(path);
    expect(existsSync(tempPath(path, gone))).toBe(false);
    expect(existsSync(tempPath(path, process.ppid))).toBe(true);
    expect(existsSync(join(dir, 'checkpoint.json.notapid'))).toBe(true);
  });
});
