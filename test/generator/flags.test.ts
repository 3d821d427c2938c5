import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const BASE = ['generate', '--count', '50', '--seed', '1', '--fast', '--start-time', '2026-01-05T08:00:00Z'];

describe('generate: the issue 12 flags refuse bad values with one line, exit 2, before writing anything', () => {
  const cases: [string[], RegExp][] = [
    [['--profile', 'wild'], /^salesstream: --profile "wild" is not accepted: use classic or realistic or chaos$/],
    [['--late-fraction', '1.5'], /^salesstream: --late-fraction "1.5" is not accepted: use a number from 0 to 1$/],
    [['--late-fraction', '0.1'], /^salesstream: generate: a late fraction needs a max delay of at least 1s \(--max-delay\)$/],
    [['--late-fraction', '0.6', '--max-delay', '1m', '--malformed-fraction', '0.6'], /add up to more than 1/],
    [['--hours', 'Mon-Fry 08:00-20:00'], /^salesstream: --hours "Mon-Fry 08:00-20:00" names an unknown day/],
    [['--time-zone', 'Nowhere/Else'], /^salesstream: --time-zone "Nowhere\/Else" is not a time zone/],
    [['--anomalies', '2026-01-05T09:00:00Z 1h promotion XX99'], /^salesstream: anomaly schedule: product XX99 is not in the catalog$/],
    [['--restock-lead-time', 'soon'], /^salesstream: --restock-lead-time "soon" is not a duration/],
  ];
  for (const [flags, message] of cases) {
    it(flags.join(' '), async () => {
      const cwd = tempDir();
      const result = await runCli(['--data-dir', join(cwd, 'd'), ...BASE, ...flags], { cwd });
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('--truth never replaces a file it did not write', async () => {
    const cwd = tempDir();
    const mine = join(cwd, 'notes.txt');
    writeFileSync(mine, 'my notes\n');
    const refused = await runCli(['--data-dir', join(cwd, 'd'), ...BASE, '--truth', mine], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--truth .*notes.txt exists and is not a truth file/);
    expect(readFileSync(mine, 'utf8')).toBe('my notes\n');
    const truth = join(cwd, 'truth.ndjson');
    const args = ['--data-dir', join(cwd, 'd'), ...BASE, '--malformed-fraction', '0.2', '--truth', truth];
    expect((await runCli(args, { cwd })).code).toBe(0);
    expect(readFileSync(truth, 'utf8')).toMatch(/^\{"topic":/);
    // its own earlier file is replaced
    const again = await runCli(['--data-dir', join(cwd, 'd2'), ...BASE, '--malformed-fraction', '0.2', '--truth', truth], { cwd });
    expect(again.code, again.stderr).toBe(0);
    const missing = await runCli(['--data-dir', join(cwd, 'd3'), ...BASE, '--truth', join(cwd, 'no', 'such', 'dir', 't.ndjson')], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--truth .*cannot be used: no such file or folder/);
  });
});
