// Issue 9, the Flink rows: `salesstream stream enrich --until-end` (the event-time temporal join of
// purchases with the catalog, exactly-once into a sink topic) over the shared generated backlog,
// against the Flink reference job (bench/flink, built here with Maven, run in a local
// mini-cluster, exactly-once: checkpoints every 1 s and a transactional sink) doing the same join
// from Kafka to Kafka — Flink SQL's event-time temporal join, and the original demo's regular join.
// events/s = purchases ÷ (wall − start-up): the CLI's start-up for salesstream; for Flink the
// job's own time from submitting the INSERT to its end (the JVM and mini-cluster start excluded).
import { randomBytes } from 'node:crypto';
import { CommandError, lineStarting, parseKeyValues } from '../lib/context.mjs';
import { ensureMavenBuilt } from '../lib/maven.mjs';
import { TRANSACTIONS } from './generate.mjs';

/**
 * The longest each Flink job may run, minutes (on 2 busy cores the temporal join took ~3 min for
 * 44k purchases; the regular join more than 10), and so this module (bench/run.mjs), seconds.
 */
const FLINK_MINUTES = { temporal: { full: 25, quick: 8 }, regular: { full: 25, quick: 8 } };
export const TIMEOUT_S = { full: 3600, quick: 1500 };

const FLINK_MAIN = 'salesstream.bench.FlinkEnrichBench';
const FLINK_JVM = ['-Xms256m', '-Xmx1g', '-Dorg.slf4j.simpleLogger.defaultLogLevel=error'];

/** Throughput: exactly-once into a sink topic, commit (trigger) every 1 s. */
export const ENRICH_ARGS = ({ source, catalog, group, sink }) => [
  'stream', 'enrich', '--source', source, '--catalog', catalog, '--group', group, '--sink', sink, '--until-end', '--format', 'json', '--trigger', '1s',
];

/**
 * The Flink job over the Kafka topics: `temporal` (FOR SYSTEM_TIME AS OF a versioned view of the
 * catalog) or `regular` (the original's join). The sink's records are counted, read committed.
 */
async function flinkEnrich(ctx, mode, { topics, n, minutes }) {
  const { classpath } = await ensureMavenBuilt(ctx, 'flink', 'the Flink reference job');
  const sink = ctx.topic(`flink-${mode}-out-${randomBytes(2).toString('hex')}`);
  await ctx.createTopic(sink, 1);
  try {
    const r = await ctx.run('java', [...FLINK_JVM, '-cp', classpath, FLINK_MAIN, mode, ctx.brokers, topics.purchases, topics.products, sink], { rss: true, timeoutMs: minutes * 60_000 });
    const line = lineStarting(r.stdout, 'RESULT');
    const res = line ? parseKeyValues(line) : undefined;
    if (r.signal === 'SIGKILL' && !res) throw new Error(`the Flink ${mode} join did not finish within ${minutes} min`);
    if (r.code !== 0 || !res) throw new CommandError(`Flink ${mode} join`, r);
    const [range] = (await ctx.salesstream(['--brokers', ctx.brokers, 'topics', 'list', '--format', 'json'])).stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((t) => t.name === sink);
    return { seconds: res.seconds, wall: r.seconds, eventsPerSecond: n / res.seconds, peakRssMB: r.peakRssMB, records: range?.records };
  } finally {
    await ctx.deleteTopics([sink]);
  }
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
async function salesstreamEnrich(ctx, { topics, n, dataDir }) {
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
    return { seconds: busy, wall: r.seconds, startup, eventsPerSecond: n / busy, peakRssMB: r.peakRssMB };
  } finally {
    if (!dataDir) await ctx.deleteTopics([sink]);
  }
}

const mbText = (x) => (x ? `${Math.round(x)} MB` : 'n/a');
const failure = (err) => String(err?.message ?? err).replace(/\s+/g, ' ').slice(0, 400);

export async function measure(ctx) {
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
  for (const transport of ['kafka', 'embedded']) {
    const data = transport === 'kafka' ? kafka : await ctx.dataset({ transport, transactions });
    let ss;
    try {
      ss = { value: await salesstreamEnrich(ctx, { topics: data.topics, n: data.counts.purchases, dataDir: transport === 'embedded' ? data.dataDir : undefined }) };
    } catch (err) {
      ss = { error: failure(err) };
    }
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
      if (ss.value) notes.push(`salesstream wall ${fmt(ss.value.wall, 2)} s − CLI start-up ${fmt(ss.value.startup, 2)} s, --trigger 1s, every purchase enriched, RSS ${mbText(ss.value.peakRssMB)}`);
      else notes.unshift(`failed: ${ss.error}`);
      if (ref.value) notes.push(`Flink ${fmt(ref.value.seconds, 2)} s from submitting the job to its end (JVM and mini-cluster start excluded; wall ${fmt(ref.value.wall, 2)} s), ${fmt(ref.value.records)} sink records incl. transaction markers, RSS ${mbText(ref.value.peakRssMB)}`);
      else notes.push(`reference failed: ${ref.error}`);
      if (row.figure && row.referenceFigure) {
        row.ratio = row.figure / row.referenceFigure;
        row.met = row.ratio >= goal;
      }
      row.note = notes.join('; ');
      rows.push(row);
    }
  }
  return rows;
}
