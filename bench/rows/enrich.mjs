// Issue 9, the Flink rows: `salesstream stream enrich --until-end` (the event-time temporal join of
// purchases with the catalog, exactly-once into a sink topic) over a generated backlog of about 1M
// purchases, against the Flink reference job (bench/flink, built here with Maven, run in a local
// mini-cluster, exactly-once: checkpoints every 1 s and a transactional sink, bounded sources so
// the job ends by itself) doing the same join from Kafka to Kafka — Flink SQL's event-time temporal
// join, and the original demo's regular join. Every sink is read back (read committed) into an
// order-free digest (bench/flink SinkDigest) and compared with salesstream's.
// events/s = purchases ÷ (wall − start-up): the CLI's start-up for salesstream; for Flink the
// job's own time from its submission to its end (JVM start, planning and mini-cluster start
// excluded, and shown).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError, lineStarting, parseKeyValues, ROOT, segmentFiles } from '../lib/context.mjs';
import { ensureMavenBuilt } from '../lib/maven.mjs';
import { meanValueBytes } from './generate.mjs';

/** Transactions of the backlog: 700,000 make 1,014,374 purchases with seed 1 (the issue's 1M). */
export const TRANSACTIONS = { full: 700_000, quick: 30_000 };
/** Transactions of the memory rows' input: 7,000,000 make 10,149,266 purchases with seed 1 (the issue's 10M). */
const MEMORY_TRANSACTIONS = { full: 7_000_000, quick: 70_000 };
/** The issue's bound on peak RSS over 10M purchases. */
const MEMORY_LIMIT_MB = 200;

/**
 * The longest each Flink job may run, minutes, and so this module (bench/run.mjs), seconds. On a
 * quiet 2-core machine the whole module takes about 10 min at full size (the regular join is
 * most of it); on busy cores much longer.
 */
const FLINK_MINUTES = { temporal: { full: 15, quick: 5 }, regular: { full: 30, quick: 5 } };
export const TIMEOUT_S = { full: 3600, quick: 900 };

/** Records per transaction of the kafkajs floor: as many as stream enrich commits at most. */
const { COMMIT_UNIT: FLOOR_UNIT } = await import(join(ROOT, 'dist/jobs/stream-enrich.js'));

const FLINK_MAIN = 'salesstream.bench.FlinkEnrichBench';
const FLINK_JVM = ['-Xms256m', '-Dorg.slf4j.simpleLogger.defaultLogLevel=error'];
/**
 * How each join is configured, as a Flink user would on 2 cores: parallelism 1 (one partition;
 * 2 was slower here), state on the heap (HashMapStateBackend, full snapshots to files). The
 * regular join keeps every purchase in state for ever, so it gets a bigger heap (about 3.5 GB RSS
 * at 1M purchases); RocksDB with incremental checkpoints kept it small but was 2.5× slower here.
 */
const FLINK_OPTIONS = { temporal: { heap: '1g', args: ['--state', 'hashmap'] }, regular: { heap: '3g', args: ['--state', 'hashmap'] } };

/** Throughput: exactly-once into a sink topic, commit (trigger) every 1 s. */
export const ENRICH_ARGS = ({ source, catalog, group, sink }) => [
  'stream', 'enrich', '--source', source, '--catalog', catalog, '--group', group, '--sink', sink, '--until-end', '--format', 'json', '--trigger', '1s',
];

/** What a topic holds, read committed: { records, sum } (bench/flink SinkDigest). */
async function sinkDigest(ctx, topic) {
  const { classpath } = await ensureMavenBuilt(ctx, 'flink', 'the Flink reference job');
  const r = await ctx.java('salesstream.bench.SinkDigest', [ctx.brokers, topic], { classpath, heap: '512m', jvmArgs: FLINK_JVM, timeoutMs: 10 * 60_000 });
  const m = /^DIGEST records=(\d+) sum=([0-9a-f]+)$/m.exec(r.stdout);
  if (r.code !== 0 || !m) throw new CommandError(`SinkDigest ${topic}`, r);
  return { records: Number(m[1]), sum: m[2] };
}

/**
 * The Flink job over the Kafka topics: `temporal` (FOR SYSTEM_TIME AS OF a versioned view of the
 * catalog) or `regular` (the original's join); its sink read back into a digest.
 */
async function flinkEnrich(ctx, mode, { topics, n, minutes }) {
  const { classpath } = await ensureMavenBuilt(ctx, 'flink', 'the Flink reference job');
  const sink = ctx.topic(`flink-${mode}-out-${randomBytes(2).toString('hex')}`);
  await ctx.createTopic(sink, 1);
  try {
    const args = [mode, ctx.brokers, topics.purchases, topics.products, sink, ctx.dir(`flink-${mode}-checkpoints`), ...FLINK_OPTIONS[mode].args];
    const r = await ctx.java(FLINK_MAIN, args, { classpath, heap: FLINK_OPTIONS[mode].heap, jvmArgs: FLINK_JVM, rss: true, timeoutMs: minutes * 60_000 });
    const line = lineStarting(r.stdout, 'RESULT');
    const res = line ? parseKeyValues(line) : undefined;
    if (r.signal === 'SIGKILL' && !res) throw new Error(`the Flink ${mode} join did not finish within ${minutes} min`);
    if (r.code !== 0 || !res) throw new CommandError(`Flink ${mode} join`, r);
    const seconds = Number(res.seconds);
    return { seconds, setup: Number(res.setup_s), wall: r.seconds, eventsPerSecond: n / seconds, peakRssMB: r.peakRssMB, parallelism: res.parallelism, state: res.state, digest: await sinkDigest(ctx, sink) };
  } finally {
    await ctx.deleteTopics([sink]);
  }
}

/** The Kafka clients whose ceiling the floor rows measure: the one salesstream runs on, and a native one. */
const FLOORS = {
  kafkajs: { script: 'kafkajs-floor.mjs', what: 'kafkajs alone', install: async () => undefined },
  rdkafka: { script: 'rdkafka-floor.cjs', what: 'node-rdkafka (librdkafka, native) alone', install: (ctx) => ensureRdkafka(ctx) },
};

/**
 * A client's ceiling (bench/lib/*-floor.*): the same purchases copied Kafka to Kafka by the client
 * alone, exactly-once in transactions of FLOOR_UNIT records, each value padded by `pad` bytes so
 * what is written is as large as stream enrich's output; nothing parsed or joined.
 */
async function clientFloor(ctx, client, { topics, n, pad }) {
  const tag = randomBytes(2).toString('hex');
  const sink = ctx.topic(`floor-${client}-out-${tag}`);
  await ctx.createTopic(sink, 1);
  try {
    const r = await ctx.run(ctx.node, [join(ctx.benchDir, 'lib', FLOORS[client].script), ctx.brokers, topics.purchases, sink, `bench-${ctx.runId}-floor-${client}-${tag}`, String(FLOOR_UNIT), String(pad)], { rss: true });
    const line = lineStarting(r.stdout, 'RESULT');
    const res = line ? parseKeyValues(line) : undefined;
    if (r.code !== 0 || !res) throw new CommandError(`${client} floor`, r);
    if (Number(res.records) !== n) throw new Error(`the ${client} floor copied ${res.records} of ${n} purchases`);
    return { seconds: Number(res.seconds), eventsPerSecond: n / Number(res.seconds), peakRssMB: r.peakRssMB };
  } finally {
    await ctx.deleteTopics([sink]);
  }
}

/**
 * bench/rdkafka-client installed: node-rdkafka built against the system's librdkafka (Debian
 * librdkafka-dev; its bundled copy would download its own dependencies, which this machine cannot).
 */
async function ensureRdkafka(ctx) {
  const dir = join(ctx.benchDir, 'rdkafka-client');
  if (existsSync(join(dir, 'node_modules', 'node-rdkafka', 'build', 'Release', 'node-librdkafka.node'))) return;
  if (!existsSync('/usr/include/librdkafka/rdkafka.h')) throw new Error('needs librdkafka-dev (apt-get install librdkafka-dev) to build node-rdkafka');
  ctx.log('installing bench/rdkafka-client (npm ci: node-rdkafka, built against the system librdkafka, ~1 min)…');
  await ctx.run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, check: true, timeoutMs: 10 * 60_000, env: { ...process.env, BUILD_LIBRDKAFKA: '0' } });
}

function lastJson(text) {
  for (const l of text.trim().split('\n').reverse()) {
    try {
      return JSON.parse(l);
    } catch {
      /* not JSON */
    }
  }
  return undefined;
}

const fmt = (n, digits = 0) => (typeof n === 'number' ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n));

/** One `stream enrich --until-end` run; events/s = purchases ÷ (wall − CLI start-up). */
async function salesstreamEnrich(ctx, { topics, n, dataDir, digest = true }) {
  const startup = await ctx.cliStartupSeconds();
  const tag = randomBytes(2).toString('hex');
  const sink = dataDir ? `bench.enriched.${tag}` : ctx.topic(`ssenrich-out-${tag}`);
  const group = `bench-${ctx.runId}-enrich-${tag}`;
  if (!dataDir) ctx.forgetTopicLater(`${group}.${topics.purchases}.enrich-changelog`);
  const where = dataDir ? ['--data-dir', dataDir] : ['--brokers', ctx.brokers];
  try {
    const r = await ctx.salesstream([...where, ...ENRICH_ARGS({ source: topics.purchases, catalog: topics.products, group, sink })], { rss: true });
    if (r.code !== 0) throw new CommandError('salesstream stream enrich', r);
    const last = lastJson(r.stdout);
    if (last?.enriched !== n) throw new Error(`enriched ${last?.enriched} of ${n} purchases (${last?.unmatched} unmatched, ${last?.malformed} malformed)`);
    const busy = Math.max(r.seconds - startup, 1e-3);
    return { seconds: busy, wall: r.seconds, startup, eventsPerSecond: n / busy, peakRssMB: r.peakRssMB, sink, digest: dataDir || !digest ? undefined : await sinkDigest(ctx, sink) };
  } finally {
    if (!dataDir) await ctx.deleteTopics([sink]);
  }
}

const mbText = (x) => (x ? `${Math.round(x)} MB` : 'n/a');
const failure = (err) => String(err?.message ?? err).replace(/\s+/g, ' ').slice(0, 400);

/** How a Flink sink compares with salesstream's Kafka sink (the same records, read committed). */
function agreement(mode, ref, ss, n) {
  if (!ref.digest) return { text: 'sink not read', same: null };
  const count = `${fmt(ref.digest.records)} records (${fmt(n)} purchases)`;
  if (!ss?.digest) return { text: `Flink wrote ${count}`, same: null };
  const same = ref.digest.records === ss.digest.records && ref.digest.sum === ss.digest.sum;
  if (same) return { text: `results agree: Flink wrote the same ${fmt(ref.digest.records)} records as salesstream (key and fields, read committed)`, same };
  // the regular join writes a purchase once per catalog record of its product: more records is its
  // nature, not a fault (one version per product makes it equal)
  return { text: `${mode === 'temporal' ? 'RESULTS DIFFER: ' : ''}Flink wrote ${count}, salesstream ${fmt(ss.digest.records)}${ref.digest.records === ss.digest.records ? ', the records differ' : ''}`, same };
}

export async function measure(ctx) {
  const started = Date.now();
  const transactions = ctx.scale(TRANSACTIONS.full, TRANSACTIONS.quick);
  const rows = [];
  const kafka = await ctx.dataset({ transport: 'kafka', transactions });
  const n = kafka.counts.purchases;
  const input = `${fmt(n)} purchases (${fmt(transactions)} transactions, \`generate --fast --seed 1\`, 1 partition), catalog of ${fmt(kafka.counts.products)} records`;
  const references = {};
  for (const mode of ['temporal', 'regular']) {
    try {
      references[mode] = { value: await flinkEnrich(ctx, mode, { topics: kafka.topics, n, minutes: FLINK_MINUTES[mode][ctx.quick ? 'quick' : 'full'] }) };
    } catch (err) {
      references[mode] = { error: failure(err) };
    }
    ctx.log(`Flink ${mode} join: ${references[mode].value ? `${fmt(references[mode].value.eventsPerSecond)} purchases/s` : references[mode].error}`);
  }
  const results = {};
  for (const transport of ['kafka', 'embedded']) {
    const data = transport === 'kafka' ? kafka : await ctx.dataset({ transport, transactions });
    try {
      results[transport] = { value: await salesstreamEnrich(ctx, { topics: data.topics, n: data.counts.purchases, dataDir: transport === 'embedded' ? data.dataDir : undefined }) };
    } catch (err) {
      results[transport] = { error: failure(err) };
    }
  }
  // the floors write what stream enrich wrote: each purchase padded to the enriched records' mean size
  const embedded = await ctx.dataset({ transport: 'embedded', transactions });
  const enrichedSink = results.embedded.value?.sink;
  const meanBytes = (topic) => meanValueBytes(segmentFiles(embedded.dataDir, topic));
  const pad = enrichedSink ? Math.max(0, Math.round(meanBytes(enrichedSink) - meanBytes(embedded.topics.purchases))) : 0;
  const floors = {};
  for (const client of Object.keys(FLOORS)) {
    try {
      await FLOORS[client].install(ctx);
      floors[client] = { value: await clientFloor(ctx, client, { topics: kafka.topics, n, pad }) };
    } catch (err) {
      floors[client] = { error: failure(err) };
    }
    ctx.log(`${client} floor: ${floors[client].value ? `${fmt(floors[client].value.eventsPerSecond)} purchases/s` : floors[client].error}`);
  }
  const minutes = (Date.now() - started) / 60_000;
  for (const transport of ['kafka', 'embedded']) {
    const ss = results[transport];
    for (const [mode, goal] of [['temporal', 3], ['regular', 10]]) {
      const ref = references[mode];
      const row = {
        what: `\`stream enrich\` from ${transport === 'kafka' ? 'Kafka' : 'the embedded log'}, purchases/s, exactly-once`,
        unit: 'events/s',
        reference: mode === 'temporal' ? 'Flink SQL event-time temporal join, from Kafka, exactly-once' : 'the original demo\'s Flink regular join, from Kafka, exactly-once',
        referenceFigure: ref.value?.eventsPerSecond ?? null,
        goal: `≥ ${goal}.0`,
        figure: ss.value?.eventsPerSecond ?? null,
        ratio: null,
        met: null,
      };
      const notes = [input.replace('1 partition', transport === 'kafka' ? '1 partition' : 'embedded log, 1 partition')];
      if (ss.value) notes.push(`salesstream wall ${fmt(ss.value.wall, 2)} s − CLI start-up ${fmt(ss.value.startup, 2)} s, --trigger 1s, every purchase enriched, peak RSS ${mbText(ss.value.peakRssMB)}`);
      else notes.unshift(`failed: ${ss.error}`);
      let same = null;
      if (ref.value) {
        const v = ref.value;
        notes.push(`Flink ${fmt(v.seconds, 2)} s from the job's submission to its end (before it: JVM start, planning and mini-cluster start, ${fmt(v.setup, 1)} s; wall ${fmt(v.wall, 2)} s), parallelism ${v.parallelism}, ${v.state} state, checkpoints every 1 s, peak RSS ${mbText(v.peakRssMB)}`);
        const agree = agreement(mode, v, results.kafka.value, n);
        notes.push(agree.text);
        same = agree.same;
      } else notes.push(`reference failed: ${ref.error}`);
      if (row.figure && row.referenceFigure) {
        row.ratio = row.figure / row.referenceFigure;
        row.met = row.ratio >= goal && !(mode === 'temporal' && same === false);
      }
      notes.push(`the enrich module took ${fmt(minutes, 1)} min`);
      row.note = notes.join('; ');
      rows.push(row);
    }
  }
  for (const client of Object.keys(FLOORS)) rows.push(floorRow(client, floors[client], pad, results.kafka, references.temporal, input));
  rows.push(...(await memoryRows(ctx)));
  return rows;
}

/** Peak RSS of `stream enrich` over the issue's 10M purchases, from each transport: bounded by the state, not by what is read. */
async function memoryRows(ctx) {
  const transactions = ctx.scale(MEMORY_TRANSACTIONS.full, MEMORY_TRANSACTIONS.quick);
  const rows = [];
  for (const transport of ['kafka', 'embedded']) {
    const row = { what: `peak RSS of \`stream enrich\` from ${transport === 'kafka' ? 'Kafka' : 'the embedded log'}, exactly-once`, unit: 'MB', reference: '—', referenceFigure: null, ratio: null, goal: `≤ ${MEMORY_LIMIT_MB} MB`, figure: null, met: null };
    let data;
    try {
      data = await ctx.dataset({ transport, transactions });
      const n = data.counts.purchases;
      const r = await salesstreamEnrich(ctx, { topics: data.topics, n, dataDir: data.dataDir, digest: false });
      row.figure = Math.round(r.peakRssMB);
      row.met = r.peakRssMB <= MEMORY_LIMIT_MB;
      row.note = `${fmt(n)} purchases (${fmt(transactions)} transactions, \`generate --fast --seed 1\`, 1 partition), every one enriched, in ${fmt(r.wall, 1)} s (${fmt(r.eventsPerSecond)} purchases/s), --trigger 1s`;
    } catch (err) {
      row.note = `failed: ${failure(err)}`;
    } finally {
      // the 10M input is large: gone before the next module
      if (transport === 'kafka' && data) await ctx.deleteTopics(Object.values(data.topics));
    }
    rows.push(row);
  }
  return rows;
}

/**
 * How much of a client's ceiling stream enrich reaches from Kafka, and what the goal against
 * Flink's temporal join asks of the client: no goal of its own.
 */
function floorRow(client, floor, pad, ss, temporal, input) {
  const { what, script } = FLOORS[client];
  const row = {
    what: `\`stream enrich\` from Kafka, purchases/s, exactly-once, against ${what}`,
    unit: 'events/s',
    reference: `${what}: the same purchases copied Kafka to Kafka, each padded by ${fmt(pad)} bytes to the enriched records' mean size, exactly-once in transactions of ${fmt(FLOOR_UNIT)}, nothing parsed or joined (bench/lib/${script})`,
    referenceFigure: floor.value?.eventsPerSecond ?? null,
    goal: '—',
    figure: ss.value?.eventsPerSecond ?? null,
    ratio: null,
    met: null,
  };
  const notes = [input];
  if (floor.value) {
    notes.push(`${what} ${fmt(floor.value.seconds, 2)} s from connecting to its last commit, peak RSS ${mbText(floor.value.peakRssMB)}`);
    if (temporal.value) notes.push(`3× Flink's temporal join would be ${fmt(3 * temporal.value.eventsPerSecond)} purchases/s, ${fmt(3 * temporal.value.eventsPerSecond / floor.value.eventsPerSecond, 2)}× what ${what} copies`);
  } else notes.push(`reference failed: ${floor.error}`);
  if (row.figure && row.referenceFigure) row.ratio = row.figure / row.referenceFigure;
  row.note = notes.join('; ');
  return row;
}
