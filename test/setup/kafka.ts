import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the test broker, or '' when Kafka tests are skipped. */
    kafkaBrokers: string;
  }
}

const SCRIPT = resolve(import.meta.dirname, '../../scripts/kafka.sh');
/** The broker scripts/kafka.sh runs: its KAFKA_PORT (default 9092) on loopback. */
const BROKERS = `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`;
let startedHere = false;

function has(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/**
 * Starts the local broker (scripts/kafka.sh) for the Kafka tests. Without Java and Maven they
 * are skipped with a loud notice, except under CI=true, where a broker that does not start fails
 * the run. SALESSTREAM_SKIP_KAFKA=1 skips them on purpose (CI's second run, on another Node).
 */
export async function setup(project: TestProject): Promise<void> {
  const ci = process.env.CI === 'true';
  const skip = (why: string, chosen = false) => {
    if (ci && !chosen) throw new Error(`CI=true but the Kafka tests cannot run: ${why}`);
    process.stderr.write(`\n${'!'.repeat(78)}\n!! SKIPPING THE KAFKA INTEGRATION TESTS: ${why}\n${'!'.repeat(78)}\n\n`);
    project.provide('kafkaBrokers', '');
  };
  if (process.env.SALESSTREAM_SKIP_KAFKA === '1') return skip('SALESSTREAM_SKIP_KAFKA=1', true);
  if (!has('java', ['-version'])) return skip('java is not installed');
  const running = spawnSync('bash', [SCRIPT, 'status'], { stdio: 'ignore' }).status === 0;
  if (!running && !has('mvn', ['-v'])) return skip('mvn is not installed (needed once to fetch the Kafka jars)');
  const start = spawnSync('bash', [SCRIPT, 'start'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
  if (start.status !== 0) return skip(`scripts/kafka.sh start failed (exit ${start.status})`);
  startedHere = !running;
  project.provide('kafkaBrokers', BROKERS);
}

export async function teardown(): Promise<void> {
  if (startedHere && process.env.SALESSTREAM_KEEP_KAFKA !== '1') spawnSync('bash', [SCRIPT, 'stop'], { stdio: 'ignore' });
}
