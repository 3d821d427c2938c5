import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { expect } from 'vitest';

export const BIN = resolve(import.meta.dirname, '../../bin/salesstream');
export const FIXTURES = resolve(import.meta.dirname, '../fixtures');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Working directory; a fresh temp dir by default. */
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

export function tempDir(prefix = 'salesstream-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Spawns the real binary (the built dist/, as a user runs it). */
export function startCli(args: string[], opts: CliOptions = {}): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? tempDir(),
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // text, decoded across chunks: a chunk of the pipe may end inside a character of several bytes,
  // which decoding each chunk alone (`text += chunk`) turns into two replacement characters
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  else child.stdin!.end();
  return child;
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const child = startCli(args, opts);
  return collect(child, opts.timeoutMs ?? 60_000);
}

export function collect(child: ChildProcess, timeoutMs = 60_000): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`salesstream timed out after ${timeoutMs} ms\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Starts the binary, SIGKILLs it once `moment` resolves and tells whether the kill hit it; a run
 * that ended before must have succeeded.
 */
export async function killedAfter(args: string[], opts: CliOptions, moment: (child: ChildProcess) => Promise<unknown>): Promise<boolean> {
  const child = startCli(args, opts);
  const done = collect(child, opts.timeoutMs ?? 60_000);
  await moment(child);
  child.kill('SIGKILL');
  const result = await done;
  if (result.signal === 'SIGKILL') return true;
  expect(result.code, result.stderr).toBe(0);
  return false;
}

/** Parses stdout that holds one JSON document per line. */
export function jsonLines<T = any>(stdout: string): T[] {
  return stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

/** A topic name no other test uses, for tests sharing one broker. */
export function uniqueTopic(base: string): string {
  return `${base}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

export interface TestTopics {
  products: string;
  purchases: string;
  inventories: string;
}

/**
 * Writes configuration/configuration.ini into `dir` (read by the CLI run there) naming its own
 * topics, so tests sharing one Kafka broker never meet.
 */
export function writeTestConfig(dir: string, topics: TestTopics, extra = ''): string {
  const path = join(dir, 'configuration', 'configuration.ini');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `[KAFKA]\ntopic_products = ${topics.products}\ntopic_purchases = ${topics.purchases}\ntopic_inventories = ${topics.inventories}\n${extra}`);
  return path;
}

export function uniqueTopics(base = 't'): TestTopics {
  const id = uniqueTopic(base);
  return { products: `${id}.products`, purchases: `${id}.purchases`, inventories: `${id}.inventories` };
}

/**
 * Polls `condition` until it holds, for tests that must pass on a busy machine: a generous bound,
 * never a fixed wait. Fails with `what` when the bound passes.
 */
export async function waitFor<T>(what: string, condition: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Complete lines written so far to a topic's partition on the embedded log under `cwd`. */
export function embeddedLineCount(cwd: string, topic: string, partition = 0): number {
  const dir = join(cwd, '.salesstream', 'topics', topic, String(partition));
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).filter((n) => n.endsWith('.ndjson'))
    .reduce((sum, n) => sum + readFileSync(join(dir, n)).reduce((c, b) => c + (b === 10 ? 1 : 0), 0), 0);
}
