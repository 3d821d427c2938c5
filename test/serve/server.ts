// Running `salesstream serve` for the tests: started on a free port, asked over HTTP, stopped with
// Ctrl-C (SIGINT) and checked to end cleanly.
import type { ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import { startCli, type CliOptions } from '../helpers/cli.js';

export interface Serve {
  url: string;
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Ctrl-C, then the exit code. */
  stop: () => Promise<number | null>;
}

/** `salesstream [globalArgs] serve --port 0 --format json [serveArgs]`, once it listens (or `dashboard`, which serves the same). */
export async function startServe(cwd: string, serveArgs: string[] = [], globalArgs: string[] = [], opts: CliOptions = {}, command: 'serve' | 'dashboard' = 'serve'): Promise<Serve> {
  const child = startCli([...globalArgs, command, '--port', '0', '--format', 'json', ...serveArgs], { cwd, ...opts });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start within 30 s\n${stderr}`)), 30_000);
    const look = () => {
      const line = stdout.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line).url);
      }
    };
    child.stdout!.on('data', look);
    child.on('close', (code) => reject(new Error(`${command} exited ${code}\n${stderr}`)));
  });
  return {
    url,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface PinotResponse {
  resultTable?: { dataSchema: { columnNames: string[]; columnDataTypes: string[] }; rows: unknown[][] };
  exceptions: { errorCode: number; message: string }[];
  numDocsScanned: number;
  totalDocs: number;
  timeUsedMs: number;
  partialResult?: boolean;
}

export async function query(url: string, sql: string): Promise<PinotResponse> {
  const res = await fetch(`${url}/query/sql`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sql }) });
  expect(res.status, sql).toBe(200);
  return (await res.json()) as PinotResponse;
}

/** The rows of a query that must succeed, as objects by column name. */
export async function rowsOf(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const answer = await query(url, sql);
  expect(answer.exceptions, sql).toEqual([]);
  const names = answer.resultTable!.dataSchema.columnNames;
  return answer.resultTable!.rows.map((row) => Object.fromEntries(row.map((v, i) => [names[i], v])));
}

/** Polls until check returns a value other than undefined (bounded: a busy machine is slow, not stuck). */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
