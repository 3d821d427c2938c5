import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { digest, embeddedRecords } from './digest.js';

/** Digests of runs made by the generator before issue 12 (captured from main at 770154f). */
const FIXTURE = JSON.parse(readFileSync(join(import.meta.dirname, 'classic-digests.json'), 'utf8')) as {
  runs: { args: string[]; records: Record<string, number>; sha256: string }[];
};
const ROLES = [['products', 'demo.products'], ['purchases', 'demo.purchases'], ['inventories', 'demo.inventories']] as const;

describe('generate --profile classic', () => {
  for (const [i, run] of FIXTURE.runs.entries()) {
    it(`writes the same topics, byte for byte, as before issue 12 (run ${i + 1}: ${run.args.join(' ')})`, async () => {
      for (const profile of [[], ['--profile', 'classic']]) {
        const cwd = tempDir();
        const result = await runCli(['--data-dir', join(cwd, 'd'), 'generate', ...run.args, ...profile], { cwd });
        expect(result.code, result.stderr).toBe(0);
        const topics = ROLES.map(([role, topic]) => [role, embeddedRecords(join(cwd, 'd'), topic)] as [string, ReturnType<typeof embeddedRecords>]);
        expect(Object.fromEntries(topics.map(([role, rs]) => [role, rs.length]))).toEqual(run.records);
        expect(digest(topics)).toBe(run.sha256);
      }
    });
  }
});
