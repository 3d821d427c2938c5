import { fsReason } from '../config/folders.js';
import { SalesstreamError } from '../errors.js';

/**
 * A file system failure the user can meet and act on, as one line with a fitting exit code:
 * 1 for a disk that is full or failing, 2 for a path that cannot be used (read-only, not a
 * folder, not allowed). Anything else is returned unchanged (a bug, exit 70).
 */
export function fileSystemError(err: unknown, doing: string): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  const path = (err as NodeJS.ErrnoException)?.path;
  const line = `${doing}: ${fsReason(err)}${path ? ` at ${path}` : ''}`;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new SalesstreamError(`${line}; free some space and run again`, 1);
    case 'EIO':
      return new SalesstreamError(`${line}; the disk may be failing`, 1);
    case 'EROFS':
    case 'ENOTDIR':
    case 'EACCES':
    case 'EPERM':
      return new SalesstreamError(line, 2);
    default:
      return err;
  }
}

/** Runs `work`, turning a file system failure into one clear line (see fileSystemError). */
export function withFileErrors<T>(doing: string, work: () => T): T {
  try {
    return work();
  } catch (err) {
    throw fileSystemError(err, doing);
  }
}
