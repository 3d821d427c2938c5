#!/usr/bin/env node
// Issue 3's speed figures, each a ratio measured in the same run (run after `npm run build`, with
// the local broker up: `npm run kafka:start`):
//   1. `salesstream drain` from Kafka, records/s, against Kafka's ConsumerPerformance on the same
//      topic (goal ≥ 0.5);
//   2. `salesstream batch top25` on 1 and 10 million purchases in the embedded log, against the
//      bare DuckDB query over the same files (bench/batch-bare.mjs; goal ≤ 1.2× its time).
// Prints markdown rows and writes them to bench/.work/batch/results.md (or --out FILE).
//
//   node bench/batch.mjs [--sizes 1000000,10000000] [--kafka-records 1000000] [--rounds 3]
//                        [--brokers 127.0.0.1:9092] [--out FILE]
//
// Generated data is kept in bench/.work/batch (git-ignored) and reused by later runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'salesstream');
const BARE = join(ROOT, 'bench', 'batch-bare.mjs');
const PROFILE = join(ROOT, 'bench', 'batch-profile.mjs');
const WORK = join(ROOT, 'bench', '.work', 'batch');
/** Purchases per transaction of the generator with the ini's defaults (measured: 979,874 / 675,000). */
const PURCHASES_PER_TRANSACTION = 1.4517;
const SEED = 7;

function options(argv) {
  const opts = { sizes: [1_000_000, 10_000_000], kafkaRecords: 1_000_000, rounds: 3, brokers: '127.0.0.1:9092', out: join(WORK, 'results.md') };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--sizes') opts.sizes = value.split(',').map(Number);
    else if (flag === '--kafka-records') opts.kafkaRecords = Number(value);
    else if (flag === '--rounds') opts.rounds = Number(value);
    else if (flag === '--brokers') opts.brokers = value;
    else if (flag === '--out') opts.out = resolve(value);
    else throw new Error(`unknown flag ${flag}`);
  }
  return opts;
}

const log = (text) => process.stderr.write(`bench: ${text}\n`);
const count = (n) => Math.round(n).toLocaleString('en-US');

/** Runs a command to its end; → { stdout, stderr, seconds } (wall), throwing on failure. */
function run(command, args, { cwd = ROOT } = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('SALESSTREAM_')) delete env[k];
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${[command, ...args].join(' ')} exited ${result.status ?? result.signal}: ${(result.stderr || result.stdout).slice(-600)}`);
  return { stdout: result.stdout, stderr: result.stderr, seconds };
}

const salesstream = (args, opts) => run(process.execPath, [BIN, ...args], opts);

/** An embedded log with about `purchases` purchases, generated once and kept. */
function embeddedDataset(purchases) {
  const dir = join(WORK, `embedded-${purchases}`);
  const marker = join(dir, 'dataset.json');
  if (existsSync(marker)) return JSON.parse(readFileSync(marker, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  const transactions = Math.round(purchases / PURCHASES_PER_TRANSACTION);
  log(`generating ${count(transactions)} transactions (≈${count(purchases)} purchases) into ${dir}`);
  const generated = salesstream(['--data-dir', dir, 'generate', '--count', String(transactions), '--seed', String(SEED), '--fast', '--start-time', '2026-01-01T08:00:00Z']);
  const topics = JSON.parse(`[${salesstream(['--data-dir', dir, 'topics', '--format', 'json']).stdout.trim().split('\n').join(',')}]`);
  const dataset = { dir, transactions, purchases: topics.find((t) => t.name === 'demo.purchases').records, generateSeconds: generated.seconds };
  writeFileSync(marker, JSON.stringify(dataset));
  return dataset;
}

/** `batch top25` against the bare query, alternated round by round; the best time of each counts. */
function top25Row(dataset, rounds) {
  const glob = join(dataset.dir, 'topics', 'demo.purchases', '*', '*.ndjson');
  const contenders = {
    cli: () => salesstream(['--data-dir', dataset.dir, 'batch', 'top25', '--format', 'csv']),
    auto: () => run(process.execPath, [BARE, glob, 'auto']),
    typed: () => run(process.execPath, [BARE, glob, 'typed']),
  };
  const best = {};
  const outputs = {};
  // one round to warm the page cache, not counted
  for (let round = 0; round <= rounds; round++) {
    for (const [name, go] of Object.entries(contenders)) {
      const result = go();
      outputs[name] = result.stdout;
      if (round > 0) best[name] = Math.min(best[name] ?? Infinity, result.seconds);
    }
  }
  // the answers must agree before the times mean anything
  const cliRows = outputs.cli.trim().split(/\r?\n/).slice(1).map((l) => l.split(',').map((v, i) => (i ? Number(v) : v)));
  const bareRows = outputs.auto.trim().split('\n').map((l) => l.split(',').map((v, i) => (i ? Number(v) : v)));
  const agree = JSON.stringify(cliRows) === JSON.stringify(bareRows);
  if (!agree) log(`WARNING: batch top25 and the bare query disagree on ${count(dataset.purchases)} purchases`);
  // where the time goes, by DuckDB's own profile (untimed): the note of a missed row uses it
  const profile = JSON.parse(run(process.execPath, [PROFILE, dataset.dir]).stdout);
  return { purchases: dataset.purchases, best, agree, profile };
}

/** A Kafka topic with about `records` purchases, through `generate --brokers`. */
function kafkaDataset(brokers, records) {
  const dir = join(WORK, `kafka-${Date.now().toString(36)}`);
  mkdirSync(join(dir, 'configuration'), { recursive: true });
  const id = `bench.batch.${Date.now().toString(36)}`;
  const topics = { products: `${id}.products`, purchases: `${id}.purchases`, inventories: `${id}.inventories` };
  writeFileSync(join(dir, 'configuration', 'configuration.ini'), `[KAFKA]\n${Object.entries(topics).map(([k, v]) => `topic_${k} = ${v}`).join('\n')}\n`);
  const transactions = Math.round(records / PURCHASES_PER_TRANSACTION);
  log(`generating ${count(transactions)} transactions into Kafka topics ${id}.*`);
  salesstream(['--brokers', brokers, 'generate', '--count', String(transactions), '--seed', String(SEED), '--fast', '--start-time', '2026-01-01T08:00:00Z'], { cwd: dir });
  const listed = salesstream(['--brokers', brokers, 'topics', '--format', 'json'], { cwd: dir }).stdout.trim().split('\n').map((l) => JSON.parse(l));
  return { dir, topics, purchases: listed.find((t) => t.name === topics.purchases).records };
}

function consumerPerformance(brokers, topic, records) {
  const result = run('java', ['-Xmx512m', '-cp', join(ROOT, '.kafka', 'libs', '*'), 'org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server', brokers, '--topic', topic, '--num-records', String(records), '--timeout', '30000']);
  // header, then: start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const fields = result.stdout.trim().split('\n').pop().split(',').map((f) => f.trim());
  return { records: Number(fields[4]), perSecond: Number(fields[5]), fetchPerSecond: Number(fields[9]) };
}

/** Drain into a fresh folder each time (a second drain into the same one would add nothing). */
function drain(brokers, kafka, round) {
  const out = join(kafka.dir, `drained-${round}`);
  const result = salesstream(['--brokers', brokers, 'drain', kafka.topics.purchases, '--out', out], { cwd: kafka.dir });
  rmSync(out, { recursive: true, force: true });
  const m = /\+([\d,]+) records, .*; ([\d.]+) s, ([\d,]+) records\/s\)/.exec(result.stdout);
  const records = Number(m[1].replaceAll(',', ''));
  return { records, ownSeconds: Number(m[2]), perSecond: records / Number(m[2]), wallPerSecond: records / result.seconds };
}

function drainRow(brokers, records, rounds) {
  const kafka = kafkaDataset(brokers, records);
  try {
    let cp;
    let best;
    for (let round = 0; round < rounds; round++) {
      const c = consumerPerformance(brokers, kafka.topics.purchases, kafka.purchases);
      const d = drain(brokers, kafka, round);
      if (d.records !== kafka.purchases) throw new Error(`drain copied ${d.records} of ${kafka.purchases} records`);
      if (!cp || c.perSecond > cp.perSecond) cp = c;
      if (!best || d.perSecond > best.perSecond) best = d;
    }
    return { records: kafka.purchases, cp, drain: best };
  } finally {
    for (const topic of Object.values(kafka.topics)) {
      try {
        salesstream(['--brokers', brokers, 'topics', 'delete', topic], { cwd: kafka.dir });
      } catch {
        // a topic generate did not get to create
      }
    }
    rmSync(kafka.dir, { recursive: true, force: true });
  }
}

/** Rows in bench/run.mjs's shape (what, figure, unit, reference, referenceFigure, ratio, goal, met, note). */
function rows(drainResult, tops) {
  const out = [];
  if (drainResult) {
    const { cp, drain: d, records } = drainResult;
    const ratio = d.perSecond / cp.perSecond;
    out.push({
      what: '`drain` from Kafka, records/s', figure: d.perSecond, unit: 'records/s',
      reference: 'Kafka ConsumerPerformance (kafka-tools), same topic and count', referenceFigure: cp.perSecond, ratio, goal: '≥ 0.5', met: ratio >= 0.5,
      note: `${count(records)} purchases, 1 partition; the drain's own timing (its summary: consumer join to commit), ${count(d.wallPerSecond)} records/s with the process start-up (ratio ${(d.wallPerSecond / cp.perSecond).toFixed(2)}); ConsumerPerformance's nMsg.sec (group join included, JVM start-up not), its fetch-only rate ${count(cp.fetchPerSecond)}; best of each over the rounds`,
    });
  }
  for (const t of tops) {
    const ratio = t.best.cli / t.best.auto;
    out.push({
      what: `\`batch top25\` on ${count(t.purchases)} purchases (embedded log), time`, figure: t.best.cli, unit: 's',
      reference: 'the bare DuckDB query over the same files (read_ndjson, bench/batch-bare.mjs)', referenceFigure: t.best.auto, ratio, goal: '≤ 1.2× its time', met: ratio <= 1.2,
      note: [
        `whole processes, best of the rounds after a warm-up; with the three columns typed by hand the bare query takes ${t.best.typed.toFixed(2)} s (ratio ${(t.best.cli / t.best.typed).toFixed(2)}); answers ${t.agree ? 'agree' : 'DISAGREE'}`,
        ...(ratio <= 1.2 ? [] : [missedBecause(t.profile)]),
      ].join('; '),
    });
  }
  return out;
}

/** Why a top25 row misses, in DuckDB's operator times (summed over its threads, bench/batch-profile.mjs). */
function missedBecause({ salesstream: ours, bare }) {
  const total = (p) => p.scan_s + p.checks_s + p.other_s;
  return `missed: DuckDB's profile gives salesstream's load ${total(ours).toFixed(1)} s of operator time against the bare query's ${total(bare).toFixed(1)} s: ` +
    `reading ${ours.scan_s.toFixed(1)} s vs ${bare.scan_s.toFixed(1)} s (the six checked fields are handed over as JSON text, so a string "5.99" is told from the number 5.99, where the bare query converts three), ` +
    `and ${ours.checks_s.toFixed(1)} s checking types and timestamp spellings as the stream engine does, which the bare query skips; lenient typing would meet the goal but let batch and stream disagree`;
}

function markdown(table) {
  const fmt = (v, unit) => (unit === 's' ? `${v.toFixed(2)} s` : `${count(v)} ${unit}`);
  return [
    '| what | figure | reference (same run) | ratio | goal | met? | notes |',
    '|---|---:|---|---:|---|---|---|',
    ...table.map((r) => `| ${r.what} | ${fmt(r.figure, r.unit)} | ${fmt(r.referenceFigure, r.unit)} — ${r.reference} | ${r.ratio.toFixed(2)} | ${r.goal} | ${r.met ? 'yes' : 'no'} | ${r.note} |`),
  ].join('\n') + '\n';
}

export async function measureBatch(opts) {
  mkdirSync(WORK, { recursive: true });
  log(`drain: ${count(opts.kafkaRecords)} purchases on ${opts.brokers}`);
  const drainResult = opts.kafkaRecords > 0 ? drainRow(opts.brokers, opts.kafkaRecords, Math.min(opts.rounds, 2)) : undefined;
  const tops = opts.sizes.map((size) => {
    const dataset = embeddedDataset(size);
    log(`batch top25: ${count(dataset.purchases)} purchases, ${opts.rounds} rounds`);
    return top25Row(dataset, opts.rounds);
  });
  return rows(drainResult, tops);
}

/** The bench/run.mjs row-module entry, should a bench/rows/batch.mjs re-export it. */
export async function measure(ctx) {
  const quick = Boolean(ctx.quick);
  return measureBatch({
    brokers: ctx.brokers, rounds: quick ? 1 : 3,
    sizes: quick ? [100_000] : [1_000_000, 10_000_000], kafkaRecords: quick ? 100_000 : 1_000_000,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const opts = options(process.argv.slice(2));
  const started = performance.now();
  const table = markdown(await measureBatch(opts));
  process.stdout.write(table);
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, `<!-- node bench/batch.mjs, ${new Date().toISOString()}, ${((performance.now() - started) / 1000).toFixed(0)} s -->\n${table}`);
  log(`written to ${opts.out}`);
}
