import type { ChalkInstance } from 'chalk';

/**
 * The one rule for colour on an output stream: never when NO_COLOR is set and not empty
 * (no-color.org), else as FORCE_COLOR says (0 or false: off), else only on a terminal that is
 * not "dumb" — never in pipes, files or logs.
 */
export function colorOn(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR);
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

/** chalk for a stream, by the rule above (loaded only by the commands that colour text). */
export async function chalkFor(stream: { isTTY?: boolean } = process.stdout): Promise<ChalkInstance> {
  const { Chalk } = await import('chalk');
  return new Chalk({ level: colorOn(stream) ? 1 : 0 });
}
