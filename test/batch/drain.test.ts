import { copyFileSync, existsSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { ok, rows, skipped } from './cli.js';
import { embeddedValues, top, type PurchaseRecord } from './oracle.js';

const START = ['--start-time', '2026-01-01T08:00:00Z'];
const purchasesIn = (cwd: string) => embeddedValues(join(cwd, '.salesstream'), 'demo.purchases') as PurchaseRecord[];
const added = (stdout: string, topic: string) => Number(new RegExp(`${topic.replaceAll('.', '\\.')}: \\+([\\d,]+) records`).exec(stdout)![1].replaceAll(',', ''));
const state = (dir: string, topic: string) => JSON.parse(readFileSync(join(dir, topic, 'drain.json'), 'utf8'));

// each test runs the binary many times: slow when the cores are busy
describe.concurrent('drain into a folder, and batch --source', { timeout: 240_000 }, () => {
  it('copies topics, then adds exactly what is new; rejects what is not JSON', async () => {
    const cwd = tempDir();
    await ok(['generate', '--count', '500', '--seed', '21', '--fast', '--partitions', '2', ...START], cwd);
    const first = purchasesIn(cwd).length;
    const d1 = await ok(['drain', 'demo.purchases', 'demo.products', '--out', 'd'], cwd);
    expect(added(d1.stdout, 'demo.purchases')).toBe(first);
    expect(added(d1.stdout, 'demo.products')).toBe(27);
    expect(await rows(['batch', 'top25', '--source', 'd'], cwd)).toEqual(top(purchasesIn(cwd)));

    await ok(['generate', '--count', '300', '--seed', '22', '--fast', ...START], cwd);
    await ok(['produce', 'demo.purchases', '--raw'], cwd, 'not json\n{"transaction_time":\n');
    const all = purchasesIn(cwd).filter((p) => typeof p === 'object');
    const d2 = await ok(['drain', 'demo.purchases', '--out', 'd'], cwd);
    expect(added(d2.stdout, 'demo.purchases')).toBe(all.length - first);
    expect(d2.stdout).toContain('2 rejected as not JSON');
    const s = state(join(cwd, 'd'), 'demo.purchases');
    expect(Object.values(s.partitions).reduce((n: number, p: any) => n + p.records, 0)).toBe(all.length);
    const rejects = readFileSync(join(cwd, 'd', 'demo.purchases', 'rejects.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rejects.map((r) => [r.topic, r.value])).toEqual([['demo.purchases', 'not json'], ['demo.purchases', '{"transaction_time":']]);
    expect(rejects.every((r) => Number.isInteger(r.partition) && Number.isInteger(r.offset))).toBe(true);

    const viaFolder = await runCli(['batch', 'top25', '--source', 'd', '--format', 'json'], { cwd });
    expect(skipped(viaFolder.stderr, 'demo.purchases')).toBe(2);
    expect(viaFolder.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual(top(all));
    expect(added((await ok(['drain', 'demo.purchases', '--out', 'd'], cwd)).stdout, 'demo.purchases')).toBe(0);
  });

  it('writes parquet that batch reads the same', async () => {
    const cwd = tempDir();
    await ok(['generate', '--count', '400', '--seed', '23', '--fast', ...START], cwd);
    await ok(['drain', 'demo.purchases', 'demo.products', '--out', 'p', '--format', 'parquet'], cwd);
    expect(readdirSync(join(cwd, 'p', 'demo.purchases', '0')).every((n) => n.endsWith('.parquet'))).toBe(true);
    expect(await rows(['batch', 'kpis', '--source', 'p'], cwd)).toEqual(await rows(['batch', 'kpis'], cwd));
    expect(await rows(['batch', 'top25', '--source', 'p'], cwd)).toEqual(top(purchasesIn(cwd)));
  });

  it('ignores what a dead drain left behind, and the next drain removes it', async () => {
    const cwd = tempDir();
    await ok(['generate', '--count', '200', '--seed', '24', '--fast', ...START], cwd);
    await ok(['drain', 'demo.purchases', '--out', 'd'], cwd);
    const dir = join(cwd, 'd', 'demo.purchases', '0');
    const [chunk] = readdirSync(dir);
    const next = state(join(cwd, 'd'), 'demo.purchases').partitions['0'].next;
    const orphan = join(dir, `${String(next).padStart(20, '0')}-${String(next + 999).padStart(20, '0')}.ndjson`);
    copyFileSync(join(dir, chunk), orphan);
    expect(await rows(['batch', 'top25', '--source', 'd'], cwd)).toEqual(top(purchasesIn(cwd)));
    await ok(['drain', 'demo.purchases', '--out', 'd'], cwd);
    expect(existsSync(orphan)).toBe(false);
  });

  it('refuses an unknown topic before draining anything', async () => {
    const cwd = tempDir();
    await ok(['generate', '--count', '10', '--seed', '1', '--fast', ...START], cwd);
    const result = await runCli(['drain', 'demo.purchases', 'nope', '--out', 'd'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^salesstream: unknown topic nope/);
    expect(existsSync(join(cwd, 'd'))).toBe(false);
  });

  it('drains a re-created or truncated topic again from the beginning, and says so', async () => {
    const cwd = tempDir();
    const recreated = /demo\.purchases is not the topic read before \(.*\): .* is emptied and the topic drained again from the beginning/;
    const drain = async () => {
      const result = await ok(['drain', 'demo.purchases', '--out', 'd'], cwd);
      // the folder now holds exactly what the log holds
      expect(await rows(['batch', 'top25', '--limit', '100', '--source', 'd'], cwd)).toEqual(top(purchasesIn(cwd), 100));
      return result.stderr;
    };
    await ok(['generate', '--count', '300', '--seed', '41', '--fast', ...START], cwd);
    expect(await drain()).not.toMatch(recreated);

    // deleted and re-created with as many records, then with more: the end offsets alone cannot tell
    const same = purchasesIn(cwd).map((p) => ({ ...p, quantity: p.quantity === 1 ? 2 : 1 }));
    writeFileSync(join(cwd, 'same-count.json'), JSON.stringify(same));
    for (const write of [['produce', 'demo.purchases', '--file', 'same-count.json'], ['generate', '--count', '400', '--seed', '42', '--fast', ...START]]) {
      await ok(['topics', 'delete', 'demo.purchases'], cwd);
      await ok(write, cwd);
      expect(await drain()).toMatch(recreated);
      expect(await drain()).not.toMatch(recreated);
    }

    // the log loses its tail (a power cut): the drain position is past its end
    const segmentDir = join(cwd, '.salesstream', 'topics', 'demo.purchases', '0');
    const segment = join(segmentDir, readdirSync(segmentDir).find((n) => n.endsWith('.ndjson'))!);
    const cut = (lines: number) => {
      const text = readFileSync(segment, 'utf8');
      truncateSync(segment, Buffer.byteLength(text.split('\n').slice(0, -1 - lines).join('\n') + '\n'));
    };
    cut(40);
    expect(await drain()).toMatch(/partition 0 ends at offset \d+, below the \d+ already read/);
    // and again, then other records written past where the drain stopped
    cut(40);
    await ok(['generate', '--count', '100', '--seed', '44', '--fast', ...START], cwd);
    expect(await drain()).toMatch(/partition 0 holds another record at offset \d+/);
  });
});
