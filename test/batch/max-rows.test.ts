// batch prints long results as the DuckDB CLI does: 40 rows of a table on a terminal (first and
// last halves, and the total), everything in pipes and in json/csv, and --max-rows to choose.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, jsonLines, runCli, tempDir } from '../helpers/cli.js';
import { ok } from './cli.js';

const SQL = 'select row_number() over (order by transaction_time, product_id) as n from purchases order by n';
const hasScript = spawnSync('script', ['--version']).status === 0;
let cwd: string;

/** The numbers in the table's body rows, '…' for the row that stands for those left out. */
const bodyRows = (table: string) => table.split('\n').filter((l) => /^\|\s*(\d|…)/.test(l)).map((l) => l.replace(/[|\s,]/g, ''));

describe.concurrent('batch --max-rows', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    cwd = tempDir();
    await ok(['produce', 'demo.purchases', '--file', join(FIXTURES, 'sample_data_small.json')], cwd);
  });

  it('prints every row in a pipe, and caps to --max-rows with the total', async () => {
    const all = await ok(['batch', 'sql', SQL], cwd);
    expect(bodyRows(all.stdout)).toEqual(Array.from({ length: 290 }, (_, i) => String(i + 1)));
    expect(all.stdout).not.toMatch(/rows \(/);

    const capped = await ok(['batch', 'sql', SQL, '--max-rows', '6'], cwd);
    expect(bodyRows(capped.stdout)).toEqual(['1', '2', '3', '…', '288', '289', '290']);
    expect(capped.stdout.trimEnd().split('\n').at(-1)).toBe('290 rows (6 shown; --max-rows 0 shows all)');
    expect(bodyRows((await ok(['batch', 'sql', SQL, '--max-rows', '0'], cwd)).stdout)).toHaveLength(290);
  });

  it('keeps json and csv whole unless told, and then says on standard error what it left out', async () => {
    expect(jsonLines((await ok(['batch', 'sql', SQL, '--format', 'json'], cwd)).stdout)).toHaveLength(290);
    const json = await ok(['batch', 'sql', SQL, '--format', 'json', '--max-rows', '3'], cwd);
    expect(jsonLines(json.stdout)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(json.stderr).toContain('showing the first 3 of 290 rows');
    expect((await ok(['batch', 'sql', SQL, '--format', 'csv'], cwd)).stdout.trim().split('\r\n')).toHaveLength(291);
    const bad = await runCli(['batch', 'sql', SQL, '--max-rows', 'lots'], { cwd });
    expect([bad.code, bad.stderr]).toEqual([2, 'salesstream: --max-rows "lots" is not accepted: use a whole number ≥ 0\n']);
  });

  it.skipIf(!hasScript)('shows 40 rows of a table on a terminal', () => {
    // script(1) runs the command on a pseudo-terminal
    const out = execFileSync('script', ['-qec', `${BIN} batch sql '${SQL}'`, '/dev/null'], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
    const body = bodyRows(out.replaceAll('\r', ''));
    expect(body).toEqual([...Array.from({ length: 20 }, (_, i) => String(i + 1)), '…', ...Array.from({ length: 20 }, (_, i) => String(271 + i))]);
    expect(out).toContain('290 rows (40 shown; --max-rows 0 shows all)');
  });
});
