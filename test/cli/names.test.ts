import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { EmbeddedTransport } from '../../src/transport/embedded/embedded.js';
import { runCli, tempDir } from '../helpers/cli.js';

/** Every file under `root` with its size: what must not change. */
function snapshot(root: string): Record<string, number> {
  const files: Record<string, number> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else files[relative(root, path)] = stat.size;
    }
  };
  walk(root);
  return files;
}

const BAD_NAMES = [
  ['--data-dir', 'A', 'stream', 'window', '--late-topic', '..', '--until-end'],
  ['--data-dir', 'A', 'stream', 'window', '--sink', '../x', '--until-end'],
  ['--data-dir', 'A', 'stream', 'window', '--dlq', '.', '--until-end'],
  ['--data-dir', 'A', 'stream', 'window', '--source', '../../B/topics/demo.purchases', '--until-end'],
  ['--data-dir', 'A', 'stream', 'window', '--group', '../../x', '--until-end'],
  ['--data-dir', 'A', 'stream', 'totals', '--group', '../../x', '--until-end'],
  ['--data-dir', 'A', 'stream', 'totals', '--group', '', '--until-end'],
  ['--data-dir', 'A', 'stream', 'totals', '--sink', '..', '--until-end'],
  ['--data-dir', 'A', 'topics', 'delete', '..'],
  ['--data-dir', 'A', 'topics', 'delete', '../../B/topics/demo.purchases'],
  ['--data-dir', 'A', 'topics', 'create', '../escaped'],
  ['--data-dir', 'A', 'tail', 'demo.purchases', '..'],
  ['--data-dir', 'A', 'produce', '../escaped'],
  ['--data-dir', 'A', 'drain', '..', '--out', 'out'],
  ['--data-dir', 'A', '--config', 'bad.ini', 'generate', '--count', '5', '--fast'],
];

describe('topic and group names never reach outside the data dir', () => {
  it('refuses every bad name with one line and exit 2, and nothing anywhere changes', async () => {
    const cwd = tempDir();
    for (const dir of ['A', 'B']) {
      const gen = await runCli(['--data-dir', dir, 'generate', '--count', '50', '--seed', '1', '--fast'], { cwd });
      expect(gen.code, gen.stderr).toBe(0);
    }
    writeFileSync(join(cwd, 'bad.ini'), '[KAFKA]\ntopic_purchases = ../../B/topics/demo.purchases\n');
    const before = snapshot(cwd);
    for (const args of BAD_NAMES) {
      const r = await runCli(args, { cwd, input: '{"a":1}\n' });
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^salesstream: .*is not accepted: use 1 to 249 letters, digits, '\.', '_' or '-', other than "\." and "\.\."\n$/);
    }
    expect(snapshot(cwd)).toEqual(before);
  }, 240_000);

  it('gives the same line on Kafka, before connecting', async () => {
    for (const args of [['topics', 'delete', '..'], ['stream', 'totals', '--group', '../x', '--until-end'], ['tail', 'a/b']]) {
      const r = await runCli(['--brokers', '127.0.0.1:9092', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^salesstream: .*is not accepted: use 1 to 249 letters.*\n$/);
    }
  }, 240_000);

  it('the embedded log itself refuses such names (the last guard)', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    const log = new EmbeddedTransport(dataDir);
    await expect(log.deleteTopic('..')).rejects.toThrowError(UsageError);
    await expect(log.createTopic('../x', 1)).rejects.toThrowError(UsageError);
    await expect(log.commit('../../x', 'demo.purchases', new Map([[0, 1]]))).rejects.toThrowError(UsageError);
    expect(() => log.stateDir('../x', 'demo.purchases')).toThrowError(UsageError);
    expect(readdirSync(root)).toEqual(['data']);
    expect(snapshot(dataDir)).toEqual({});
  }, 240_000);
});
