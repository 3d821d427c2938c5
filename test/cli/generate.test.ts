import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, jsonLines, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';

const records = async (cwd: string) =>
  new Map(jsonLines((await runCli(['topics', '--format', 'json'], { cwd })).stdout).map((t) => [t.name as string, t.records as number]));

describe('a refused generate writes nothing', () => {
  it('when another writer holds one of its topics, not even the catalog is appended', async () => {
    const cwd = tempDir();
    // another run writes demo.purchases (with its own products topic) and holds it
    writeFileSync(join(cwd, 'other.ini'), '[KAFKA]\ntopic_products = other.products\n');
    const holder = startCli(['--config', 'other.ini', 'generate', '--count', '0', '--rate', '20', '--seed', '1'], { cwd });
    await waitFor('the other writer to hold demo.purchases', async () => ((await records(cwd)).get('demo.purchases') ?? 0) > 0);
    const before = await records(cwd);

    const refused = await runCli(['generate', '--count', '5', '--fast'], { cwd });
    holder.kill('SIGINT');
    expect((await collect(holder)).code).toBe(0);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/^salesstream: topic demo\.purchases is being written by process \d+.*\n$/);
    expect(refused.stdout).toBe('');
    expect(before.get('demo.products') ?? 0).toBe(0);
    expect((await records(cwd)).get('demo.products') ?? 0).toBe(0);
  }, 180_000);
});
