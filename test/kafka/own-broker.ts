// A Kafka broker of a test's own (scripts/kafka.sh on free ports and a temporary state dir), for
// tests that stop and restart it: the shared test broker on 9092 is never stopped, since other
// test files run against it in parallel.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { tempDir } from '../helpers/cli.js';

const SCRIPT = resolve(import.meta.dirname, '../../scripts/kafka.sh');

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export interface OwnBroker {
  brokers: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and deletes its state dir. */
  remove(): Promise<void>;
}

export async function ownBroker(): Promise<OwnBroker> {
  const state = tempDir('salesstream-broker-');
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const env = { ...process.env, KAFKA_STATE_DIR: state, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), KAFKA_HEAP: '384m', KAFKA_START_TIMEOUT: '240' };
  const run = (command: string) =>
    new Promise<void>((resolveRun, reject) => {
      const child = spawn('bash', [SCRIPT, command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('close', (code) => (code === 0 ? resolveRun() : reject(new Error(`kafka.sh ${command} exited ${code}:\n${output}`))));
    });
  return {
    brokers: `127.0.0.1:${port}`,
    start: () => run('start'),
    stop: () => run('stop'),
    remove: async () => {
      await run('stop');
      rmSync(state, { recursive: true, force: true });
    },
  };
}
