// Issue 9, the Flink row: `salesstream stream enrich --until-end` (the event-time temporal join of
// purchases with the catalog, exactly-once into a sink topic) over the shared generated backlog,
// from Kafka and from the embedded log, with its peak RSS.
//
// The Flink references the issue asks for (the original regular join and Flink SQL's event-time
// temporal join, a Maven-built job in a local mini-cluster) are not built yet: the rows carry no
// reference figure, and the note gives the issue's own measurement of the original join.
import { randomBytes } from 'node:crypto';
import { CommandError } from '../lib/context.mjs';
import { TRANSACTIONS } from './generate.mjs';

/** Throughput: exactly-once into a sink topic, commit (trigger) every 1 s. */
export const ENRICH_ARGS = ({ source, catalog, group, sink }) => [
  'stream', 'enrich', '--source', source, '--catalog', catalog, '--group', group, '--sink', sink, '--until-end', '--format', 'json', '--trigger', '1s',
];

/** The original Flink regular join as the issue measured it on this machine (not re-measured here). */
const ORIGINAL_JOIN = { eventsPerSecond: 4_500, peakRss: '4.6 GB' };

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

export async function measure(ctx) {
  const transactions = ctx.scale(TRANSACTIONS.full, TRANSACTIONS.quick);
  const rows = [];
  for (const transport of ['kafka', 'embedded']) {
    const data = await ctx.dataset({ transport, transactions });
    const n = data.counts.purchases;
    const row = {
      what: `\`stream enrich\` from ${transport === 'kafka' ? 'Kafka' : 'the embedded log'}, purchases/s, exactly-once`,
      unit: 'events/s',
      reference: 'Flink temporal join (not built yet)',
      referenceFigure: null,
      goal: `≥ 10× the original join (${fmt(ORIGINAL_JOIN.eventsPerSecond)}/s), ≥ 3× Flink's temporal join`,
      figure: null,
      ratio: null,
      met: null,
    };
    const notes = [`${fmt(n)} purchases (${fmt(transactions)} transactions, \`generate --fast --seed 1\`, 1 partition), catalog of ${fmt(data.counts.products)} versions`];
    try {
      const s = await salesstreamEnrich(ctx, { topics: data.topics, n, dataDir: transport === 'embedded' ? data.dataDir : undefined });
      row.figure = s.eventsPerSecond;
      notes.push(`salesstream wall ${fmt(s.wall, 2)} s − CLI start-up ${fmt(s.startup, 2)} s, --trigger 1s, sink topic, every purchase enriched, RSS ${s.peakRssMB ? `${Math.round(s.peakRssMB)} MB` : 'n/a'}`);
      notes.push(`${fmt(s.eventsPerSecond / ORIGINAL_JOIN.eventsPerSecond, 1)}× the original regular join as issue 9 measured it (${fmt(ORIGINAL_JOIN.eventsPerSecond)}/s, ${ORIGINAL_JOIN.peakRss} peak RSS; not re-measured here)`);
    } catch (err) {
      notes.unshift(`failed: ${String(err?.message ?? err).replace(/\s+/g, ' ').slice(0, 400)}`);
    }
    row.note = notes.join('; ');
    rows.push(row);
  }
  return rows;
}
