import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkFolder, fsReason } from '../config/folders.js';
import { UsageError } from '../errors.js';

/** The file that marks a folder as the demo's own: only such a folder is ever emptied. */
export const DEMO_MARKER = '.salesstream-demo';

/**
 * Makes `dir` ready for a fresh demo: made when missing, emptied when the demo made it (its
 * marker is there), used as it is when empty. Anything else — a file, or a folder holding
 * someone's files — is refused and left untouched.
 */
export function prepareDemoDir(dir: string, label: string): void {
  checkFolder(dir, label, 'write');
  const entries = readdirSync(dir);
  if (!entries.includes(DEMO_MARKER) && entries.length > 0) {
    throw new UsageError(`${label} ${dir} is not empty and was not made by salesstream demo: give a new or empty folder (nothing was changed)`);
  }
  try {
    for (const entry of entries) rmSync(join(dir, entry), { recursive: true, force: true });
    writeFileSync(join(dir, DEMO_MARKER), 'This folder was made by `salesstream demo`; the next demo run into it empties it.\n');
  } catch (err) {
    throw new UsageError(`${label} ${dir} cannot be emptied: ${fsReason(err)}`);
  }
}
