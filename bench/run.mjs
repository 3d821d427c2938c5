#!/usr/bin/env node
// `npm run bench`: runs every bench/rows/*.mjs measurement module against the built CLI and the
// local Kafka broker, then writes BENCHMARKS.md. See bench/README.md.
//
//   node bench/run.mjs                       every row, full size; writes BENCHMARKS.md
//   node bench/run.mjs --only generate,kstreams
//                                            just these modules; their rows replace the earlier
//                                            ones in BENCHMARKS.md, other rows are kept (dated)
//   node bench/run.mjs --quick               smaller counts, to try things out; writes
//                                            bench/.work/BENCHMARKS.quick.md, not BENCHMARKS.md
//   --brokers host:port (default 127.0.0.1:9092), --out FILE, --list
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { BENCH_DIR, ROOT, WORK, createContext, javaVersion } from './lib/context.mjs';

/** Modules run in this order; any other bench/rows/*.mjs after them, alphabetically. */
const ORDER = ['generate', 'drain', 'batch', 'kstreams', 'stream', 'memory', 'alt-client'];

function parseArgs(argv) {
  const opts = { only: undefined, quick: false, brokers: process.env.BENCH_BROKERS ?? '127.0.0.1:9092', out: undefined, list: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const [, inline] = a.split(/=(.*)/s);
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--quick') opts.quick = true;
    else if (a === '--list') opts.list = true;
    else if (a.startsWith('--only')) opts.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a.startsWith('--brokers')) opts.brokers = value();
    else if (a.startsWith('--out')) opts.out = value();
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument ${a}`);
  }
  return opts;
}

function usage(problem) {
  if (problem) process.stderr.write(`bench: ${problem}\n`);
  process.stderr.write('usage: node bench/run.mjs [--quick] [--only name,name] [--brokers host:port] [--out FILE] [--list]\n');
  process.exit(problem ? 2 : 0);
}

function rowModules() {
  const dir = join(BENCH_DIR, 'rows');
  const names = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.mjs')).map((f) => f.slice(0, -4)) : [];
  const rank = (n) => {
    const i = ORDER.findIndex((o) => n === o || n.startsWith(o));
    return i < 0 ? ORDER.length : i;
  };
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).map((name) => ({ name, file: join(dir, `${name}.mjs`) }));
}

function selected(modules, only) {
  if (!only) return modules;
  const unknown = only.filter((o) => !modules.some((m) => m.name === o || m.name.startsWith(o)));
  if (unknown.length) usage(`no row module ${unknown.join(', ')} (have: ${modules.map((m) => m.name).join(', ')})`);
  return modules.filter((m) => only.some((o) => m.name === o || m.name.startsWith(o)));
}

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function machine() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(existsSync('/proc/meminfo') ? readFileSync('/proc/meminfo', 'utf8') : '')?.[1] ?? 0);
  const kafkaJar = existsSync(join(ROOT, '.kafka', 'libs')) ? readdirSync(join(ROOT, '.kafka', 'libs')).find((f) => /^kafka_2\.13-.*\.jar$/.test(f)) : undefined;
  return {
    cpus: Number(sh('nproc', [])) || os.availableParallelism?.() || os.cpus().length,
    cpuModel: model,
    memoryGB: memKb ? (memKb / 1024 / 1024).toFixed(1) : (os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    java: javaVersion(),
    kafka: kafkaJar ? kafkaJar.replace(/^kafka_2\.13-|\.jar$/g, '') : 'unknown',
    commit: sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']) ?? 'unknown',
    // the table this harness itself writes does not count as a change to what is measured
    dirty: (sh('git', ['-C', ROOT, 'status', '--porcelain', '--', '.', ':!BENCHMARKS.md']) ?? '') !== '',
  };
}

const ROW_FIELDS = ['what', 'figure', 'unit', 'reference', 'referenceFigure', 'ratio', 'goal', 'met', 'note'];

function normaliseRows(rows, moduleName) {
  if (!Array.isArray(rows)) throw new Error(`measure() of ${moduleName} returned ${typeof rows}, not an array of rows`);
  return rows.map((r) => {
    const row = Object.fromEntries(ROW_FIELDS.map((f) => [f, r?.[f]]));
    row.what ??= moduleName;
    if (row.ratio === undefined && typeof row.figure === 'number' && typeof row.referenceFigure === 'number' && row.referenceFigure > 0) {
      row.ratio = row.figure / row.referenceFigure;
    }
    if (row.met !== undefined && row.met !== null) row.met = Boolean(row.met);
    return row;
  });
}

async function runModule(ctx, mod) {
  const started = Date.now();
  let rows;
  try {
    const m = await import(pathToFileURL(mod.file).href);
    if (typeof m.measure !== 'function') throw new Error(`${relative(ROOT, mod.file)} exports no measure(ctx)`);
    // a module may ask for more time (TIMEOUT_S = { full, quick }): the Flink jobs take minutes
    const limit = Number(process.env.BENCH_MODULE_TIMEOUT_S) || (ctx.quick ? m.TIMEOUT_S?.quick ?? 300 : m.TIMEOUT_S?.full ?? 600);
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${limit} s (BENCH_MODULE_TIMEOUT_S)`)), limit * 1000);
    });
    try {
      rows = normaliseRows(await Promise.race([m.measure(ctx), timeout]), mod.name);
    } finally {
      clearTimeout(timer);
      ctx.killChildren(); // a module's children never outlive it
    }
  } catch (err) {
    const message = String(err?.message ?? err).replace(/\s+/g, ' ').slice(0, 500);
    ctx.log(`${mod.name} failed: ${message}`);
    if (process.env.BENCH_DEBUG) process.stderr.write(`${err?.stack ?? err}\n`);
    rows = [{ what: mod.name, figure: null, unit: '', reference: '', referenceFigure: null, ratio: null, goal: '', met: null, note: `failed: ${message}` }];
  }
  return { name: mod.name, rows, seconds: (Date.now() - started) / 1000, at: new Date().toISOString() };
}

// ------------------------------------------------------------------ rendering --

function fmtNumber(v, unit) {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v !== 'number') return String(v);
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }) + (unit ? ` ${unit}` : '');
}

function cell(text) {
  return String(text ?? '').replace(/\|/g, '\\|').replace(/\n/g, '<br>');
}

function metMark(met) {
  if (met === true) return '✅ yes';
  if (met === false) return '❌ no';
  return '—';
}

function render({ results, machine: m, quick, started, finished, thisRun, loadAtStart }) {
  const lines = [];
  lines.push('# Benchmarks');
  lines.push('');
  lines.push(`Written by \`npm run bench\` (\`node bench/run.mjs${quick ? ' --quick' : ''}\`) — do not edit by hand; see \`bench/README.md\` for what each row measures and how.`);
  lines.push('Each reference is measured in the same run as the figure it is compared with, on the same machine, against the same local broker.');
  if (quick) lines.push('', '**Quick mode: small counts, for trying the harness out; these figures are not the benchmark.**');
  lines.push('');
  lines.push('| what | figure | reference (same run) | ratio | goal | met? | notes |');
  lines.push('|---|---:|---|---:|---|---|---|');
  for (const r of results) {
    for (const row of r.rows) {
      const ref = row.referenceFigure === undefined || row.referenceFigure === null
        ? cell(row.reference || '—')
        : `${cell(fmtNumber(row.referenceFigure, row.unit))}${row.reference ? ` — ${cell(row.reference)}` : ''}`;
      const ratio = typeof row.ratio === 'number' && Number.isFinite(row.ratio) ? row.ratio.toFixed(2) : '—';
      const earlier = thisRun.has(r.name) ? '' : ` *(from an earlier run, ${r.at.slice(0, 16).replace('T', ' ')} UTC)*`;
      lines.push(`| ${cell(row.what)} | ${cell(fmtNumber(row.figure, row.unit))} | ${ref} | ${ratio} | ${cell(row.goal ?? '')} | ${metMark(row.met)} | ${cell(row.note ?? '')}${earlier} |`);
    }
  }
  lines.push('');
  lines.push('Ratio = figure ÷ reference. For rates higher is better, for times and latencies lower is better; the goal column says which way.');
  lines.push('');
  lines.push('## Machine');
  lines.push('');
  lines.push(`- CPU: ${m.cpus} × ${m.cpuModel} (shared by the broker, the program measured and its reference)`);
  lines.push(`- memory: ${m.memoryGB} GB; ${m.os}`);
  lines.push(`- Node ${m.node}; ${m.java}; Apache Kafka ${m.kafka} (single local KRaft broker, ${m.brokers}, \`scripts/kafka.sh\`)`);
  lines.push(`- salesstream commit ${m.commit}${m.dirty ? ' (with uncommitted changes)' : ''}`);
  lines.push(`- date: ${finished.toISOString().replace(/\.\d+Z$/, 'Z')}; run took ${((finished - started) / 1000 / 60).toFixed(1)} min`);
  lines.push(`- 1-minute load average when the run started: ${loadAtStart.toFixed(2)} (about 0 on an idle machine; near ${m.cpus} or above, other work was sharing the CPUs and the figures are noisier)`);
  lines.push('');
  lines.push('## Time per module');
  lines.push('');
  for (const r of results) lines.push(`- ${r.name}: ${r.seconds.toFixed(0)} s${thisRun.has(r.name) ? '' : ` (earlier run, ${r.at.slice(0, 16).replace('T', ' ')} UTC)`}`);
  lines.push('');
  return lines.join('\n');
}

// ------------------------------------------------------------------ main --

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const all = rowModules();
  if (opts.list) {
    for (const m of all) process.stdout.write(`${m.name}\n`);
    return;
  }
  const mods = selected(all, opts.only);
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) process.stderr.write('bench: dist/ is missing — run `npm run build` (npm run bench does) first\n');
  mkdirSync(WORK, { recursive: true });
  const started = new Date();
  const loadAtStart = os.loadavg()[0];
  const ctx = createContext({ brokers: opts.brokers, quick: opts.quick });
  ctx.log(`run ${ctx.runId}${opts.quick ? ' (quick)' : ''}: ${mods.map((m) => m.name).join(', ')}`);

  let interrupted = false;
  const onSignal = async () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    ctx.log('interrupted: cleaning up (Ctrl-C again to leave at once)');
    await ctx.cleanup().catch(() => undefined);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const fresh = [];
  try {
    for (const mod of mods) {
      ctx.log(`— ${mod.name}`);
      const result = await runModule(ctx, mod);
      ctx.log(`— ${mod.name} done in ${result.seconds.toFixed(0)} s`);
      for (const row of result.rows) ctx.log(`  ${row.what}: ${fmtNumber(row.figure, row.unit)} vs ${fmtNumber(row.referenceFigure, row.unit)} → ${typeof row.ratio === 'number' ? row.ratio.toFixed(2) : '—'} ${row.met === true ? 'met' : row.met === false ? 'MISSED' : ''}${row.note ? ` (${row.note})` : ''}`);
      fresh.push(result);
    }
  } finally {
    ctx.log('cleaning up (topics of this run, scratch files)…');
    await ctx.cleanup().catch((err) => ctx.log(`cleanup failed: ${err?.message ?? err}`));
  }

  // merge with earlier results of modules not run now (full runs only), keep module order
  const store = join(WORK, opts.quick ? 'results.quick.json' : 'results.json');
  let previous = {};
  try {
    previous = JSON.parse(readFileSync(store, 'utf8'));
  } catch {
    previous = {};
  }
  const merged = { ...previous };
  for (const r of fresh) merged[r.name] = r;
  const names = new Set(all.map((m) => m.name));
  const results = all.map((m) => merged[m.name]).filter((r) => r && names.has(r.name));
  writeFileSync(store, JSON.stringify(Object.fromEntries(results.map((r) => [r.name, r])), null, 2));
  const finished = new Date();
  const out = opts.out ?? (opts.quick ? join(WORK, 'BENCHMARKS.quick.md') : join(ROOT, 'BENCHMARKS.md'));
  writeFileSync(out, render({ results, machine: { ...machine(), brokers: opts.brokers }, quick: opts.quick, started, finished, thisRun: new Set(fresh.map((r) => r.name)), loadAtStart }));
  ctx.log(`wrote ${relative(process.cwd(), out) || basename(out)} in ${((finished - started) / 1000).toFixed(0)} s`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${err?.stack ?? err}\n`);
  process.exit(1);
});
