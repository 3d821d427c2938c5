import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, tempDir } from '../helpers/cli.js';

const SGR = /\x1b\[[0-9;]*m/;
const COMMANDS = [
  ['topics'],
  ['tail', 'demo.purchases', '-n', '2'],
  ['stream', 'window', '--until-end', '--format', 'table'],
  ['stream', 'totals', '--until-end', '--format', 'table', '--no-sink', '--group', 'colour'],
];

/** Runs salesstream on a pseudo-terminal (script(1)), as a user at a terminal would. */
function onTerminal(args: string[], cwd: string, env: Record<string, string>): string {
  const base = { ...process.env };
  delete base.NO_COLOR;
  delete base.FORCE_COLOR;
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd, encoding: 'utf8', env: { ...base, TERM: 'xterm', ...env }, timeout: 60_000 });
  expect(r.status, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
  return r.stdout;
}

describe('NO_COLOR and pipes get no colour codes', () => {
  it('tail, topics and the stream tables honour NO_COLOR on a terminal', async () => {
    const cwd = tempDir();
    expect((await runCli(['generate', '--count', '50', '--seed', '1', '--fast'], { cwd })).code).toBe(0);
    for (const args of COMMANDS) expect(onTerminal(args, cwd, { NO_COLOR: '1' }), args.join(' ')).not.toMatch(SGR);
    // the same on a terminal without NO_COLOR is coloured (so the check above can fail)
    expect(onTerminal(['topics'], cwd, {})).toMatch(SGR);
    expect(onTerminal(['tail', 'demo.purchases', '-n', '2'], cwd, {})).toMatch(SGR);
    // and a pipe never is, even without NO_COLOR
    for (const args of COMMANDS) {
      const r = await runCli(args, { cwd, env: { NO_COLOR: undefined, FORCE_COLOR: undefined } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, args.join(' ')).not.toMatch(SGR);
    }
  }, 180_000);
});
