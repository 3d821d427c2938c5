import { accessSync, constants, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'no such file or folder',
  EISDIR: 'it is a folder',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EIO: 'input/output error',
};

/** A file system error as a short reason for one line: "permission denied (EACCES)". */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
  return code ?? (err as Error)?.message ?? String(err);
}

export type FolderAccess = 'read' | 'write';

/**
 * Checks, before anything is read or written, that `path` is a folder salesstream can use, and
 * refuses with one line naming the path and the reason. For writing, a missing folder is made
 * (only its last part: a parent that does not exist — a missing mount — is refused, not made)
 * and a probe file is written and removed, so read-only, full and permission-denied folders are
 * caught up front. For reading, a missing folder whose parent exists is simply empty.
 */
export function checkFolder(path: string, label: string, access: FolderAccess): void {
  const shown = `${label} ${path}`;
  let exists = true;
  try {
    if (!statSync(path).isDirectory()) throw new UsageError(`${shown} is a file, not a folder`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`${shown} cannot be used: ${fsReason(err)}`);
    exists = false;
  }
  if (!exists) {
    const parent = dirname(resolve(path));
    try {
      if (!statSync(parent).isDirectory()) throw new UsageError(`${shown} cannot be used: ${parent} is a file, not a folder`);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      throw new UsageError(`${shown} cannot be used: its parent folder ${parent} ${missing ? 'does not exist' : `cannot be read: ${fsReason(err)}`}`);
    }
    if (access === 'read') return;
    try {
      // not recursive: Node's recursive mkdir never returns on some paths (/proc/…)
      mkdirSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`${shown} cannot be made: ${fsReason(err)}`);
    }
  }
  if (access === 'read') {
    try {
      accessSync(path, constants.R_OK | constants.X_OK);
    } catch (err) {
      throw new UsageError(`${shown} cannot be read: ${fsReason(err)}`);
    }
    return;
  }
  const probe = join(path, `.salesstream-probe-${process.pid}`);
  try {
    writeFileSync(probe, 'salesstream checks that it can write here\n');
  } catch (err) {
    throw new UsageError(`${shown} is not writable: ${fsReason(err)}`);
  } finally {
    try {
      rmSync(probe, { force: true });
    } catch {
      // the probe was never made
    }
  }
}
