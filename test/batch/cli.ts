// Running the real binary for the batch tests: one call, and a check that it succeeded.
import { expect } from 'vitest';
import { jsonLines, runCli, type CliResult } from '../helpers/cli.js';

export async function ok(args: string[], cwd: string, input?: string): Promise<CliResult> {
  const result = await runCli(args, { cwd, input });
  expect(result.code, `salesstream ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

/** The rows of a batch command run with --format json. */
export async function rows<T = Record<string, unknown>>(args: string[], cwd: string): Promise<T[]> {
  return jsonLines<T>((await ok([...args, '--format', 'json'], cwd)).stdout);
}

/** The count in "skipped N malformed records in TOPIC", 0 when there is no such line. */
export function skipped(stderr: string, topic: string): number {
  const m = new RegExp(`skipped ([\\d,]+) malformed records in ${topic.replaceAll('.', '\\.')}`).exec(stderr);
  return m ? Number(m[1].replaceAll(',', '')) : 0;
}
