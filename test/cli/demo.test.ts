import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, tempDir } from '../helpers/cli.js';

/** A folder with `salesstream` in it, to put on PATH so printed commands run as typed. */
function pathWithSalesstream(): string {
  const bin = tempDir('salesstream-bin-');
  symlinkSync(BIN, join(bin, 'salesstream'));
  return `${bin}:${dirname(process.execPath)}:${process.env.PATH}`;
}

/** The commands the demo printed: each step's heading and the closing hint. */
function printedCommands(stdout: string): string[] {
  return stdout.split('\n').map((l) => /^(?:\d\. |.*try next: )(salesstream .*)$/.exec(l)?.[1]).filter((c): c is string => c !== undefined);
}

describe('demo', () => {
  it('refuses a folder it did not make and a file, changing nothing (one line, exit 2)', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'notes.txt'), 'mine');
    mkdirSync(join(cwd, 'sub'));
    writeFileSync(join(cwd, 'sub', 'deep.txt'), 'also mine');
    for (const args of [['demo', '--dir', '.'], ['--data-dir', '.', 'demo'], ['demo', '--dir', 'sub'], ['demo', '--dir', 'notes.txt']]) {
      const r = await runCli(args, { cwd });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^salesstream: /);
    }
    expect(readdirSync(cwd).sort()).toEqual(['notes.txt', 'sub']);
    expect(readFileSync(join(cwd, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(cwd, 'sub', 'deep.txt'), 'utf8')).toBe('also mine');
  }, 300_000);

  it('uses an empty folder, and empties only a folder an earlier demo made', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'empty'));
    const first = await runCli(['demo', '--dir', 'empty'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(join(cwd, 'empty', 'topics', 'demo.purchases'))).toBe(true);
    const again = await runCli(['demo', '--dir', 'empty'], { cwd });
    expect(again.code, again.stderr).toBe(0);
    // emptied first: the same 500 transactions, not 1,000
    const topics = await runCli(['--data-dir', 'empty', 'topics', '--format', 'json'], { cwd });
    const purchases = topics.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((t) => t.name === 'demo.purchases');
    expect(purchases.records).toBe(Number(/demo\.purchases\s*│\s*\d+\s*│\s*(\d+)/.exec(first.stdout)?.[1]));
  }, 300_000);

  for (const [name, args, dir] of [['its default folder', ['demo'], '.salesstream-demo'], ['--data-dir', ['--data-dir', 'my demo', 'demo'], 'my demo']] as const) {
    it(`prints commands that work as typed from the same folder (${name})`, async () => {
      const cwd = tempDir();
      const demo = await runCli([...args], { cwd });
      expect(demo.code, demo.stderr).toBe(0);
      expect(existsSync(join(cwd, dir, 'topics', 'demo.purchases', 'topic.json'))).toBe(true);
      const commands = printedCommands(demo.stdout);
      expect(commands.length).toBeGreaterThanOrEqual(6);
      const PATH = pathWithSalesstream();
      for (const command of commands) {
        const run = spawnSync('sh', ['-c', command], { cwd, encoding: 'utf8', env: { ...process.env, PATH, NO_COLOR: '1' }, timeout: 60_000 });
        expect(run.status, `${command}\n${run.stderr}`).toBe(0);
        expect(run.stdout.trim(), command).not.toBe('');
        if (/ topics$/.test(command)) expect(run.stdout).toMatch(/demo\.purchases\s*│\s*1\s*│\s*[1-9]/);
        if (/ tail /.test(command)) expect(run.stdout.trim().split('\n')).toHaveLength(5);
      }
    }, 300_000);
  }
});
