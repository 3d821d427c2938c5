// A Python virtual environment with the real Pinot client (pinotdb from PyPI, with the SQLAlchemy
// dialect Superset uses), made once under test/serve/.pinot-venv (git-ignored). Without python3 or
// PyPI the client tests are skipped loudly; under CI=true that is a failure instead.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const VENV = resolve(import.meta.dirname, '.pinot-venv');
const PYTHON = join(VENV, 'bin', 'python');
/** Pinned, so a run is the same on every machine. */
const PACKAGES = ['pinotdb==9.2.2', 'SQLAlchemy==2.1.9', 'requests==2.34.2'];

function run(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000 });
  if (result.error) return `${command}: ${result.error.message}`;
  if (result.status !== 0) return `${command} ${args.join(' ')} exited ${result.status}: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')}`;
  return undefined;
}

/** The venv's python with pinotdb importable, or why there is none (skip, or throw under CI). */
export function pinotPython(): { python: string } | { skip: string } {
  const ready = () => spawnSync(PYTHON, ['-c', 'import pinotdb, sqlalchemy, requests'], { stdio: 'ignore' }).status === 0;
  if (!existsSync(PYTHON) || !ready()) {
    const failure = run('python3', ['-m', 'venv', VENV]) ?? run(PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...PACKAGES]);
    if (failure || !ready()) {
      const why = failure ?? 'pinotdb does not import after installing it';
      if (process.env.CI === 'true') throw new Error(`CI=true but the Pinot client tests cannot run: ${why}`);
      process.stderr.write(`\n${'!'.repeat(78)}\n!! SKIPPING THE PINOT CLIENT (pinotdb) TESTS: ${why}\n${'!'.repeat(78)}\n\n`);
      return { skip: why };
    }
  }
  return { python: PYTHON };
}
