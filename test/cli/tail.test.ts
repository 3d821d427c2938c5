import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, jsonLines, runCli, tempDir, waitFor } from '../helpers/cli.js';

const START = ['--fast', '--start-time', '2026-01-01T08:00:00Z'];

async function ok(args: string[], cwd: string) {
  const r = await runCli(args, { cwd });
  expect(r.code, `salesstream ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

const json = async (args: string[], cwd: string) => jsonLines((await ok([...args, '--format', 'json'], cwd)).stdout);

describe('tail -n N: the last N records (as tail and kcat users read it)', () => {
  it('without --from, -n N is the last N, across partitions in time order; with --from, N from there', async () => {
    const cwd = tempDir();
    await ok(['generate', '--count', '300', '--seed', '8', '--partitions', '3', ...START], cwd);
    const all = await json(['tail', 'demo.purchases', '--from', 'beginning'], cwd);
    const byTime = [...all].sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset);
    expect(await json(['tail', 'demo.purchases', '-n', '3'], cwd)).toEqual(byTime.slice(-3));
    expect(await json(['tail', 'demo.purchases', '-n', '25'], cwd)).toEqual(byTime.slice(-25));
    expect(await json(['tail', 'demo.purchases'], cwd)).toEqual(byTime.slice(-10));
    const p2 = all.filter((e) => e.partition === 2);
    expect(await json(['tail', 'demo.purchases', '--partition', '2', '-n', '4'], cwd)).toEqual(p2.slice(-4));
    expect(await json(['tail', 'demo.purchases', '--partition', '2', '--from', 'beginning', '-n', '4'], cwd)).toEqual(p2.slice(0, 4));
    // the last N that match, wherever they are
    const sf07 = byTime.filter((e) => e.value.product_id === 'SF07');
    expect(sf07.length).toBeGreaterThan(3);
    expect(await json(['tail', 'demo.purchases', '--where', 'product_id=SF07', '-n', '3'], cwd)).toEqual(sf07.slice(-3));
  }, 180_000);

  it('--from OFFSET past the end says so (one line, exit 2) instead of printing nothing', async () => {
    const cwd = tempDir();
    await ok(['generate', '--count', '50', '--seed', '8', ...START], cwd);
    const r = await runCli(['tail', 'demo.purchases', '--from', '999999'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^salesstream: --from 999999 is past the end: demo\.purchases\[0\] ends at \d+ .*\n$/);
  }, 180_000);

  it('Ctrl-C stops tail -f --from beginning in the middle of a long backlog', async () => {
    const cwd = tempDir();
    await ok(['generate', '--count', '200000', '--seed', '2', ...START], cwd);
    const end = Number(jsonLines((await ok(['topics', '--format', 'json'], cwd)).stdout).find((t) => t.name === 'demo.purchases').records);
    // output to a file, so the reader is never held up by a slow pipe; SF07 is about 1 record in 27
    const outPath = join(cwd, 'out.ndjson');
    const out = openSync(outPath, 'w');
    const tail = spawn(process.execPath, [BIN, 'tail', 'demo.purchases', '-f', '--from', 'beginning', '--where', 'product_id=SF07', '--format', 'json'], {
      cwd, stdio: ['ignore', out, 'pipe'], env: { ...process.env, NO_COLOR: '1' },
    });
    closeSync(out);
    await waitFor('the first records', () => statSync(outPath).size > 0);
    let stderr = '';
    tail.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => tail.on('close', resolve));
    tail.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<'running'>((r) => (timer = setTimeout(() => r('running'), 120_000)))]);
    clearTimeout(timer);
    if (code === 'running') tail.kill('SIGKILL');
    expect(code, stderr).toBe(0);
    // it stopped where it was: far from the end of the backlog (before, it read on to the end)
    const printed = jsonLines(readFileSync(outPath, 'utf8'));
    expect(printed.length).toBeGreaterThan(0);
    expect(printed.at(-1).offset).toBeLessThan(end / 2);
  }, 300_000);
});

describe('tail through a pipe', () => {
  it('prints text of several bytes per character whole, however the pipe cuts the output', async () => {
    const cwd = tempDir();
    // records of 3- and 4-byte characters, each larger than a pipe's 64 KiB: the reader gets
    // each in several chunks, and a chunk ends inside a character
    const values = Array.from({ length: 3 }, (_, i) => `${i} ${'Rockin’ Raspberry 🍓 '.repeat(10_000 + i)}`);
    const file = join(cwd, 'names.txt');
    writeFileSync(file, values.join('\n') + '\n');
    await ok(['produce', 'names', '--file', file, '--raw'], cwd);
    const printed = await json(['tail', 'names', '--from', 'beginning', '-n', String(values.length)], cwd);
    expect(printed.map((e) => e.value)).toEqual(values);
  });
});
