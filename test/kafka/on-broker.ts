// The salesstream commands of a Kafka test file: run against the shared broker, asserted to succeed.
import { expect } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli.js';

export function onBroker(brokers: string, timeoutMs: number) {
  const kafka = (args: string[]) => ['--brokers', brokers, ...args];
  /** Runs a command that must exit 0; its stderr is in the failure message. */
  async function ok(args: string[], cwd: string) {
    const result = await runCli(kafka(args), { cwd, timeoutMs });
    expect(result.code, `salesstream ${args.join(' ')}\n${result.stderr}`).toBe(0);
    return result;
  }
  /** Every record of a topic as `tail --format json` shows it, with its value's text. */
  const values = async (topic: string, cwd: string) =>
    jsonLines((await ok(['tail', topic, '--from', 'beginning', '--format', 'json'], cwd)).stdout)
      .map((e) => ({ ...e, text: typeof e.value === 'string' ? e.value : JSON.stringify(e.value) as string }));
  return { kafka, ok, values };
}
