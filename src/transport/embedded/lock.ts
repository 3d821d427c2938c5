import { closeSync, constants, ftruncateSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tryLock } from 'fs-native-extensions';
import { writeAll } from '../../fs/durable-file.js';
import { SalesstreamError } from '../../errors.js';

export interface FileLock {
  release(): void;
}

/**
 * An exclusive OS lock (Linux: an open-file-description fcntl lock; elsewhere flock/LockFileEx)
 * on `path`, held until release() or until the process ends in any way, kill -9 included: the
 * kernel drops it, so there is no stale lock to take over and no pid to mistake. The file holds
 * the owner's pid only to name it in `refusal`. The file is never removed: unlinking a lock file
 * lets a process that opened the old one and one that creates a new one both hold "the" lock.
 */
export function acquireLock(path: string, refusal: (holder: string) => string): FileLock {
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
  let locked = false;
  try {
    locked = tryLock(fd);
    if (!locked) throw new SalesstreamError(refusal(holderOf(path)), 2);
    ftruncateSync(fd, 0);
    writeAll(fd, Buffer.from(`${process.pid}\n`), 0);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  let held = true;
  return {
    release() {
      if (held) closeSync(fd);
      held = false;
    },
  };
}

function holderOf(path: string): string {
  try {
    const pid = readFileSync(path, 'utf8').trim();
    if (/^\d+$/.test(pid)) return `process ${pid}`;
  } catch {
    // unreadable: said as unknown below
  }
  return 'another process';
}

/** One writer per topic (DESIGN §1). */
export function acquireWriterLock(topicDir: string, topic: string): FileLock {
  return acquireLock(join(topicDir, 'writer.lock'),
    (holder) => `topic ${topic} is being written by ${holder}; the embedded log allows one writer per topic`);
}
