import { describe, expect, it } from 'vitest';
import { jsonLines, runCli, tempDir } from '../helpers/cli.js';

describe('salesstream on the embedded log (smoke)', () => {
  it('generates and tails', async () => {
    const cwd = tempDir();
    const gen = await runCli(['generate', '--count', '50', '--seed', '1', '--fast', '--start-time', '2026-01-01T08:00:00Z'], { cwd });
    expect(gen.code, gen.stderr).toBe(0);
    const tail = await runCli(['tail', 'demo.purchases', '--from', 'beginning', '--format', 'json'], { cwd });
    expect(tail.code, tail.stderr).toBe(0);
    expect(jsonLines(tail.stdout).length).toBeGreaterThanOrEqual(50);
  });
});
