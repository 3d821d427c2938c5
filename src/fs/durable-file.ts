// Writes that survive a crash or a power cut, SQLite-style: a file is replaced by writing a
// temporary file in full (every write's length checked), fsyncing it, renaming it over the old
// one and fsyncing the directory, so after any crash the path holds the old content or the new,
// never a mix, an empty file or a prefix. The one module for this: everything salesstream keeps
// on disk (topic.json, group offsets, checkpoints, drain positions) goes through it.
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isRunningSince } from './process.js';

/** Writes all of `data` at `position` (the file's current position when absent), however many write() calls that takes. */
export function writeAll(fd: number, data: Uint8Array, position?: number): void {
  let written = 0;
  while (written < data.length) {
    const n = writeSync(fd, data, written, data.length - written, position === undefined ? null : position + written);
    // write() returning 0 for a non-empty request means no room was made: never loop forever on it
    if (n <= 0) throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC', syscall: 'write' });
    written += n;
  }
}

/** Makes a directory's entries (files created, renamed or removed in it) durable. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The temporary file a process writes before renaming it over `path`. */
export function tempPath(path: string, pid = process.pid): string {
  return `${path}.${pid}`;
}

/**
 * Replaces `path` with `data` atomically and durably. On any failure (a full disk, a read-only
 * file system) the old file is left as it was, the temporary file is removed and the error is
 * thrown.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = writeTemp(path, data);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  syncDirectory(dirname(path));
}

/**
 * Creates `path` with `data`, atomically and durably, unless it exists: false then, and the
 * existing file is untouched. Of several processes creating one path at once exactly one wins.
 */
export function createFileExclusive(path: string, data: string | Uint8Array): boolean {
  const tmp = writeTemp(path, data);
  try {
    linkSync(tmp, path); // link() never replaces: EEXIST when the path is there
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
  syncDirectory(dirname(path));
  return true;
}

/** Writes `data` in full to this process's temporary file for `path` and fsyncs it. */
function writeTemp(path: string, data: string | Uint8Array): string {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const tmp = tempPath(path);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeAll(fd, bytes, 0);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return tmp;
}

/**
 * mkdir -p that makes the new directories durable: each created directory's parent is synced,
 * so a power cut cannot leave a file whose directory entry was never written. One level at a
 * time, so a failure names its real cause (recursive mkdir says ENOENT for a read-only disk).
 */
export function makeDirectoryDurable(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // made meanwhile by another process
    }
    syncDirectory(dirname(d));
  }
}

/**
 * Removes temporary files of `path` (`<path>.<pid>`) left by processes killed mid-write: those
 * whose pid no longer runs, or runs a process started after the file was written.
 */
export function removeStaleTemps(path: string): void {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    const file = join(dir, name);
    try {
      if (!isRunningSince(pid, statSync(file).mtimeMs)) rmSync(file, { force: true });
    } catch {
      // gone already
    }
  }
}
