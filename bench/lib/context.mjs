// The shared context every bench/rows/*.mjs module gets: paths, the broker, and helpers to run and
// time commands, measure peak RSS, make unique Kafka topics, and generate input data once per run.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(BENCH_DIR, '..');
export const WORK = join(BENCH_DIR, '.work'); // git-ignored
const GNU_TIME = '/usr/bin/time';

/** Environment for children: no SALESSTREAM_* from the caller's shell leaks into a measurement. */
export function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('SALESSTREAM_')) delete env[k];
  delete env.NODE_OPTIONS;
  return { ...env, ...extra };
}

/** Peak RSS (VmHWM) of a live process, in MB; undefined once it is gone. */
export function vmHwmMB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** "a=1 b=x" → { a: 1, b: 'x' } (numbers parsed). */
export function parseKeyValues(line) {
  const out = {};
  for (const part of line.trim().split(/\s+/).slice(1)) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i);
    const v = part.slice(i + 1);
    out[k] = v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v;
  }
  return out;
}

export function lineStarting(text, prefix) {
  return text.split('\n').reverse().find((l) => l.startsWith(prefix + ' '));
}

/** The fastest of several walls (s) less the CLI's start-up: the time the work itself took. */
export function fastestBusy(walls, startup) {
  return Math.max(Math.min(...walls) - startup, 1e-3);
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : undefined;
}

function tail(text, n = 600) {
  const t = String(text ?? '').trim();
  return t.length > n ? '…' + t.slice(-n) : t;
}

export class CommandError extends Error {
  constructor(what, result) {
    super(`${what} exited ${result.signal ?? result.code}: ${tail(result.stderr || result.stdout, 400).replace(/\s+/g, ' ')}`);
    this.result = result;
  }
}

export function createContext({ brokers = '127.0.0.1:9092', quick = false, log = (m) => process.stderr.write(`bench: ${m}\n`) } = {}) {
  const runId = 'r' + randomBytes(4).toString('hex').slice(0, 6);
  const scratch = join(WORK, `run-${runId}`);
  mkdirSync(scratch, { recursive: true });
  const cleanups = [];
  const topics = new Set();
  const live = new Set();
  const datasets = new Map();
  let startup;

  const ctx = {
    root: ROOT,
    benchDir: BENCH_DIR,
    /** bench/.work: caches that outlive a run (the Kafka Streams build). */
    cacheDir: WORK,
    /** This run's scratch directory (deleted at the end). */
    work: scratch,
    runId,
    brokers,
    quick,
    bin: join(ROOT, 'bin', 'salesstream'),
    node: process.execPath,
    kafkaLibs: join(ROOT, '.kafka', 'libs'),
    log,
    /** quick ? q : full */
    scale: (full, q) => (quick ? q : full),
    hasGnuTime: existsSync(GNU_TIME),

    /** A fresh directory under this run's scratch dir. */
    dir(name) {
      const d = join(scratch, name);
      mkdirSync(d, { recursive: true });
      return d;
    },

    onCleanup(fn) {
      cleanups.push(fn);
    },

    /**
     * Runs a command to its end. → { code, signal, stdout, stderr, seconds (wall), peakRssMB }
     * rss: true measures the child's peak RSS (GNU time's %M when present, else /proc VmHWM polling).
     * stdoutFile: send stdout to this file instead of memory (big outputs).
     * Never throws for a non-zero exit; check: true does.
     */
    run(cmd, args = [], opts = {}) {
      const { cwd = ROOT, env = cleanEnv(), timeoutMs = 15 * 60_000, rss = false, stdoutFile, input, check = false } = opts;
      let file = cmd;
      let argv = args;
      let rssFile;
      if (rss && ctx.hasGnuTime) {
        rssFile = join(scratch, `rss-${randomBytes(4).toString('hex')}.txt`);
        file = GNU_TIME;
        argv = ['-f', '%M', '-o', rssFile, cmd, ...args];
      }
      return new Promise((resolvePromise, reject) => {
        const started = process.hrtime.bigint();
        const out = [];
        const err = [];
        // own process group, so a kill also reaches the command under GNU time
        const child = spawn(file, argv, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
        child.killGroup = (sig) => {
          try {
            process.kill(-child.pid, sig);
          } catch {
            child.kill(sig);
          }
        };
        live.add(child);
        let hwm = 0;
        const poll = rss && !rssFile ? setInterval(() => (hwm = Math.max(hwm, vmHwmMB(child.pid) ?? 0)), 50) : undefined;
        let fileDone = Promise.resolve();
        if (stdoutFile) {
          mkdirSync(dirname(stdoutFile), { recursive: true });
          const sink = createWriteStream(stdoutFile);
          child.stdout.pipe(sink);
          fileDone = new Promise((res) => sink.on('close', res));
        } else {
          child.stdout.on('data', (d) => out.push(d));
        }
        child.stderr.on('data', (d) => err.push(d));
        if (input !== undefined) child.stdin.end(input);
        else child.stdin.end();
        const timer = setTimeout(() => {
          log(`timeout after ${timeoutMs / 1000} s: ${cmd} ${args.join(' ')}`);
          child.killGroup('SIGKILL');
        }, timeoutMs);
        child.on('error', (e) => {
          clearTimeout(timer);
          if (poll) clearInterval(poll);
          live.delete(child);
          reject(e);
        });
        child.on('close', async (code, signal) => {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          await fileDone;
          clearTimeout(timer);
          if (poll) clearInterval(poll);
          live.delete(child);
          let peakRssMB = hwm || undefined;
          if (rssFile) {
            try {
              const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
              if (kb > 0) peakRssMB = kb / 1024;
            } catch {
              /* no figure */
            }
          }
          const result = {
            code, signal, seconds, peakRssMB,
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
          };
          if (check && code !== 0) reject(new CommandError(`${cmd.split('/').pop()} ${args.slice(0, 4).join(' ')}`, result));
          else resolvePromise(result);
        });
      });
    },

    /**
     * Starts a long-running command. → handle { pid, lines (stdout so far), waitFor(regex, ms),
     * stop(signal, graceMs) → result like run(), peakRssMB() }. Stopped at cleanup if still running.
     */
    start(cmd, args = [], opts = {}) {
      const { cwd = ROOT, env = cleanEnv() } = opts;
      const started = process.hrtime.bigint();
      const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      live.add(child);
      const out = [];
      const err = [];
      let hwm = 0;
      const poll = setInterval(() => (hwm = Math.max(hwm, vmHwmMB(child.pid) ?? 0)), 100);
      const waiters = [];
      let buffered = '';
      child.stdout.on('data', (d) => {
        out.push(d);
        buffered += d.toString('utf8');
        for (const w of [...waiters]) {
          if (w.re.test(buffered)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(true);
          }
        }
        if (buffered.length > 1_000_000) buffered = buffered.slice(-100_000);
      });
      child.stderr.on('data', (d) => err.push(d));
      const closed = new Promise((res) => child.on('close', (code, signal) => {
        clearInterval(poll);
        live.delete(child);
        for (const w of waiters.splice(0)) w.resolve(false);
        res({
          code, signal,
          seconds: Number(process.hrtime.bigint() - started) / 1e9,
          peakRssMB: hwm || undefined,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      }));
      return {
        pid: child.pid,
        closed,
        peakRssMB: () => Math.max(hwm, vmHwmMB(child.pid) ?? 0) || undefined,
        waitFor(re, ms = 60_000) {
          if (re.test(buffered)) return Promise.resolve(true);
          return new Promise((res) => {
            const w = { re, resolve: res };
            waiters.push(w);
            setTimeout(() => {
              const i = waiters.indexOf(w);
              if (i >= 0) waiters.splice(i, 1);
              res(false);
            }, ms);
          });
        },
        async stop(signal = 'SIGINT', graceMs = 30_000) {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          const r = await closed;
          clearTimeout(timer);
          return r;
        },
      };
    },

    /** Runs bin/salesstream with the same Node as the harness. */
    salesstream(args, opts = {}) {
      return ctx.run(ctx.node, [ctx.bin, ...args], opts);
    },

    /** Runs java with the Kafka jars (tools) on the class path; its log4j output goes to scratch. */
    java(mainClass, args, opts = {}) {
      const { heap = '512m', classpath = `${ctx.kafkaLibs}/*`, jvmArgs = [] } = opts;
      return ctx.run('java', [
        `-Xmx${heap}`, ...jvmArgs,
        `-Dlog4j2.configurationFile=${join(ROOT, 'kafka', 'log4j2.properties')}`,
        `-Dkafka.logs.dir=${scratch}`, '-Dkafka.log.file=java-tools.log',
        '-cp', classpath, mainClass, ...args,
      ], opts);
    },

    /**
     * Wall time of the salesstream CLI doing nothing (`salesstream stream totals --help`: Node
     * start-up and loading every module), median of 3; subtracted from stream run times as JVM
     * start-up is left out of the Kafka Streams figures.
     */
    async cliStartupSeconds() {
      if (startup === undefined) {
        const times = [];
        for (let i = 0; i < 3; i++) times.push((await ctx.salesstream(['--help'])).seconds);
        startup = median(times);
      }
      return startup;
    },

    /**
     * `salesstream generate --fast …` into a fresh embedded log per run: `repeat` runs of each
     * variant (name → its arguments after `--fast`), interleaved (a, b, a, b, …) so drift on the
     * machine hits every variant alike. → name → { walls (s), stdout (its last run's) }.
     */
    async interleavedGenerates(label, variants, repeat) {
      const runs = Object.fromEntries(Object.keys(variants).map((name) => [name, { walls: [], stdout: '' }]));
      for (let i = 0; i < repeat; i++) {
        for (const [name, args] of Object.entries(variants)) {
          const dir = ctx.dir(`${label}-${name}-${i}`);
          const r = await ctx.salesstream(['--data-dir', join(dir, 'log'), 'generate', '--fast', ...args], { cwd: dir });
          if (r.code !== 0) throw new CommandError(`salesstream generate (${label}, ${name})`, r);
          runs[name].walls.push(r.seconds);
          runs[name].stdout = r.stdout;
          rmSync(dir, { recursive: true, force: true });
        }
      }
      return runs;
    },

    /** A unique topic name containing this run's id; deleted at cleanup even if never created. */
    topic(label) {
      const name = `bench.${label}.${runId}`;
      topics.add(name);
      return name;
    },

    /** Deletes this topic at cleanup (for topics other programs create, e.g. changelogs). */
    forgetTopicLater(name) {
      topics.add(name);
    },

    async createTopic(name, partitions = 1) {
      topics.add(name);
      await ctx.salesstream(['--brokers', brokers, 'topics', 'create', name, '--partitions', String(partitions)], { check: true });
      return name;
    },

    async deleteTopics(names) {
      const list = [...names];
      const failures = [];
      // a few at a time: each is one short CLI process
      for (let i = 0; i < list.length; i += 4) {
        await Promise.all(list.slice(i, i + 4).map(async (n) => {
          const r = await ctx.salesstream(['--brokers', brokers, 'topics', 'delete', n]);
          if (r.code === 0) topics.delete(n);
          else if (!/not exist|unknown topic|does not/i.test(r.stderr)) failures.push(`${n}: ${r.stderr.trim().split('\n').pop()}`);
          else topics.delete(n);
        }));
      }
      if (failures.length) log(`could not delete topics: ${failures.join('; ')}`);
    },

    /** Every topic on the broker whose name contains this run's id (changelogs, internal topics). */
    async topicsOfThisRun() {
      const r = await ctx.salesstream(['--brokers', brokers, 'topics', '--format', 'json']);
      if (r.code !== 0) return [];
      return r.stdout.split('\n').filter(Boolean).map((l) => {
        try {
          return JSON.parse(l).name;
        } catch {
          return undefined;
        }
      }).filter((n) => n && n.includes(runId));
    },

    /**
     * Input data, generated once per run and shared by every row: `salesstream generate --fast
     * --count <transactions> --seed <seed> --start-time 2026-01-01T00:00:00Z` into Kafka (unique
     * topics, through a configuration/configuration.ini in its own working directory, as a user
     * would) or into an embedded log (its own --data-dir, default topic names). `copy` > 0 makes
     * another run of the same into topics of its own (a repeat of a timed run).
     * → { transport, transactions, seed, topics, cwd, dataDir?, counts, records, seconds (the
     *     summary's), wall, peakRssMB, stdout }
     */
    dataset({ transport = 'kafka', transactions, seed = 1, partitions = 1, copy = 0 } = {}) {
      const key = `${transport}:${transactions}:${seed}:${partitions}:${copy}`;
      if (!datasets.has(key)) datasets.set(key, makeDataset(ctx, { transport, transactions, seed, partitions, copy }));
      return datasets.get(key);
    },

    /** Kills every child still running (after a module timed out). */
    killChildren() {
      for (const child of live) (child.killGroup ?? ((sig) => child.kill(sig)))('SIGKILL');
    },

    /** Deletes topics, stops children left running, removes the scratch directory. */
    async cleanup() {
      for (const fn of cleanups.splice(0).reverse()) {
        try {
          await fn();
        } catch (e) {
          log(`cleanup: ${e.message}`);
        }
      }
      ctx.killChildren();
      const found = await ctx.topicsOfThisRun().catch(() => []);
      await ctx.deleteTopics(new Set([...topics, ...found].filter((t) => t.includes(runId) || topics.has(t))));
      rmSync(scratch, { recursive: true, force: true });
    },
  };
  return ctx;
}

async function makeDataset(ctx, { transport, transactions, seed, partitions, copy }) {
  const label = `${transport}-${transactions}-s${seed}-p${partitions}${copy ? `-c${copy}` : ''}`;
  const cwd = ctx.dir(`data-${label}`);
  const args = [];
  let topics;
  let dataDir;
  if (transport === 'kafka') {
    const base = `bench.data.${ctx.runId}.t${transactions}s${seed}p${partitions}${copy ? `c${copy}` : ''}`;
    topics = { products: `${base}.products`, purchases: `${base}.purchases`, inventories: `${base}.inventories` };
    for (const t of Object.values(topics)) ctx.forgetTopicLater(t);
    // the CLI reads ./configuration/configuration.ini from its working directory
    const ini = readFileSync(join(ctx.root, 'configuration', 'configuration.ini'), 'utf8')
      .replace(/^topic_products\s*=.*$/m, `topic_products = ${topics.products}`)
      .replace(/^topic_purchases\s*=.*$/m, `topic_purchases = ${topics.purchases}`)
      .replace(/^topic_inventories\s*=.*$/m, `topic_inventories = ${topics.inventories}`);
    mkdirSync(join(cwd, 'configuration'), { recursive: true });
    writeFileSync(join(cwd, 'configuration', 'configuration.ini'), ini);
    writeFileSync(join(cwd, 'configuration', 'products.csv'), readFileSync(join(ctx.root, 'configuration', 'products.csv')));
    args.push('--brokers', ctx.brokers);
  } else {
    topics = { products: 'demo.products', purchases: 'demo.purchases', inventories: 'demo.inventories' };
    dataDir = join(cwd, 'log');
    args.push('--data-dir', dataDir);
  }
  args.push('generate', '--fast', '--count', String(transactions), '--seed', String(seed),
    '--start-time', '2026-01-01T00:00:00Z', '--partitions', String(partitions));
  ctx.log(`generating ${transactions.toLocaleString('en-US')} transactions into ${transport === 'kafka' ? 'Kafka' : 'the embedded log'}…`);
  const r = await ctx.salesstream(args, { cwd, rss: true });
  if (r.code !== 0) throw new CommandError('salesstream generate', r);
  const summary = parseGenerateSummary(r.stdout, topics);
  return {
    transport, transactions, seed, partitions, topics, cwd, dataDir,
    counts: summary.counts,
    records: summary.counts.products + summary.counts.purchases + summary.counts.inventories,
    seconds: summary.seconds,
    wall: r.seconds,
    peakRssMB: r.peakRssMB,
    stdout: r.stdout,
  };
}

/**
 * The generate summary:
 *   done: 200,000 transactions (seed 1)
 *     <products topic>: 27
 *     <purchases topic>: 289,634
 *     <inventories topic>: 23,732
 *     2.70 s, 116,201 events/s
 */
export function parseGenerateSummary(stdout, topics) {
  const num = (s) => Number(String(s).replace(/,/g, ''));
  const countOf = (topic) => {
    const m = new RegExp(`^\\s*${topic.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\s*([\\d,]+)\\s*$`, 'm').exec(stdout);
    if (!m) throw new Error(`generate summary has no count for ${topic}: ${tail(stdout, 300)}`);
    return num(m[1]);
  };
  const tx = /([\d,]+) transactions/.exec(stdout);
  const time = /([\d.]+) s, ([\d,]+) events\/s/.exec(stdout);
  if (!time) throw new Error(`generate summary has no "s, events/s" line: ${tail(stdout, 300)}`);
  return {
    counts: {
      transactions: tx ? num(tx[1]) : undefined,
      products: countOf(topics.products),
      purchases: countOf(topics.purchases),
      inventories: countOf(topics.inventories),
    },
    seconds: Number(time[1]),
    eventsPerSecond: num(time[2]),
  };
}

/** Files of one topic of an embedded log, in offset order. */
export function segmentFiles(dataDir, topic) {
  const dir = join(dataDir, 'topics', topic);
  const out = [];
  for (const p of readdirSync(dir).filter((d) => /^\d+$/.test(d)).sort((a, b) => a - b)) {
    for (const f of readdirSync(join(dir, p)).filter((f) => f.endsWith('.ndjson')).sort()) out.push(join(dir, p, f));
  }
  return out;
}

/** e.g. 'OpenJDK 17.0.15', from java -version. */
export function javaVersion() {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const text = r.stderr || r.stdout || '';
  const version = /version "([^"]+)"/.exec(text)?.[1];
  const vendor = /^(\S+) version/.exec(text)?.[1];
  return version ? `${vendor === 'openjdk' ? 'OpenJDK' : vendor ?? 'Java'} ${version}` : 'not found';
}
