import { UsageError } from '../errors.js';

/**
 * The one rule for topic names and consumer-group ids, on both transports: Kafka's topic rule —
 * 1 to 249 of a-z A-Z 0-9 . _ -, and not "." or "..". Kafka would take almost any group id, but
 * on the embedded log group ids and topic names become file names under the data dir (and on
 * Kafka a group's changelog topic is named after it), so both follow the same rule: nothing a
 * name can spell ever reaches outside the data dir.
 */
const NAME = /^[a-zA-Z0-9._-]{1,249}$/;

const RULE = `use 1 to 249 letters, digits, '.', '_' or '-', other than "." and ".."`;

export function isValidName(name: string): boolean {
  return NAME.test(name) && name !== '.' && name !== '..';
}

/** What is wrong with a topic name or group id, for one line; undefined when it is fine. */
export function nameProblem(name: string): string | undefined {
  return isValidName(name) ? undefined : `${JSON.stringify(name)} is not accepted: ${RULE}`;
}

function checked(what: string, name: string): string {
  const problem = nameProblem(name);
  if (problem !== undefined) throw new UsageError(`${what} ${problem}`);
  return name;
}

/** The name, or a UsageError naming `what` (a flag such as --sink, or "topic"). */
export function checkTopicName(name: string, what = 'topic'): string {
  return checked(what, name);
}

/** The group id, or a UsageError naming `what` (--group, or "group"). */
export function checkGroupId(id: string, what = 'group'): string {
  return checked(what, id);
}
