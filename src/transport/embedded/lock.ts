import { openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SalesstreamError } from '../../errors.js';

export interface PidLock {
  release(): void;
}

/**
 * A lock file holding the owner's pid, created exclusively. A lock left by a process that no
 * longer runs (kill -9) is taken over; one held by a live process is refused with `refusal`.
 */
export function acquirePidLock(path: string, refusal: (holder: number) => string): PidLock {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      const release = () => rmSync(path, { force: true });
      process.once('exit', release);
      return {
        release() {
          process.removeListener('exit', release);
          release();
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (holder && holder !== process.pid && isAlive(holder)) throw new SalesstreamError(refusal(holder), 2);
      rmSync(path, { force: true });
    }
  }
  throw new SalesstreamError(`could not take the lock ${path}`);
}

/** One writer per topic (DESIGN §1). */
export function acquireWriterLock(topicDir: string, topic: string): PidLock {
  return acquirePidLock(join(topicDir, 'writer.lock'),
    (holder) => `topic ${topic} is being written by process ${holder}; the embedded log allows one writer per topic`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
