// Issue 5, rows 1–2: `salesstream generate --fast` into Kafka and into the embedded log, each
// against its reference measured in the same run. See bench/README.md.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { CommandError, fastestBusy, segmentFiles } from '../lib/context.mjs';

/** Transactions per generate run (≈1.45 purchases and ≈0.12 restocks each). */
export const TRANSACTIONS = { full: 300_000, quick: 30_000 };

export async function measure(ctx) {
  const transactions = ctx.scale(TRANSACTIONS.full, TRANSACTIONS.quick);
  const startup = await ctx.cliStartupSeconds();
  const rows = [];
  // embedded first: its files give the exact mean record size for ProducerPerformance
  const embedded = await ctx.dataset({ transport: 'embedded', transactions });
  const meanPurchaseBytes = meanValueBytes(segmentFiles(embedded.dataDir, embedded.topics.purchases));
  const simulation = await simulationSeconds(ctx, embedded);
  rows.push(await safely('generate --fast into Kafka, records/s', () => kafkaRow(ctx, { transactions, startup, meanPurchaseBytes, simulation })));
  rows.push(await safely('generate --fast into the embedded log, time', () => embeddedRow(ctx, { embedded, startup, simulation })));
  return rows;
}

/** salesstream's generate job with no transport I/O (a diagnostic for the notes). */
async function simulationSeconds(ctx, embedded) {
  const sim = await ctx.run(ctx.node, [join(ctx.benchDir, 'lib', 'simulate-only.mjs'), String(embedded.transactions), String(embedded.seed)]);
  try {
    return { seconds: JSON.parse(sim.stdout.trim()).no_transport_s };
  } catch {
    return { error: sim.stderr.trim().split('\n').pop() || `exit ${sim.code}` };
  }
}

function simulationNote(simulation, busy) {
  return simulation.seconds === undefined
    ? `simulation-only diagnostic failed: ${simulation.error}`
    : `salesstream's generate job with a transport that discards every record (bench/lib/simulate-only.mjs) takes ${simulation.seconds.toFixed(2)} s of these ${busy.toFixed(2)} s`;
}

async function safely(what, fn) {
  try {
    return await fn();
  } catch (err) {
    return { what, figure: null, note: `failed: ${String(err?.message ?? err).replace(/\s+/g, ' ').slice(0, 400)}` };
  }
}

/** Mean UTF-8 size of the JSON values in these embedded-log segments (the message as on Kafka). */
export function meanValueBytes(files) {
  let n = 0;
  let bytes = 0;
  for (const f of files) {
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (!line) continue;
      bytes += Buffer.byteLength(JSON.stringify(JSON.parse(line).value));
      n++;
    }
  }
  return n ? bytes / n : 0;
}

async function kafkaRow(ctx, { transactions, startup, meanPurchaseBytes, simulation }) {
  // interleaved (salesstream, reference, salesstream, …) so drift on the machine hits both alike;
  // the fastest run of each side counts, as in the embedded row
  const repeat = ctx.scale(REPEAT.full, REPEAT.quick);
  const size = Math.round(meanPurchaseBytes);
  const runs = [];
  const pps = [];
  for (let copy = 0; copy < repeat; copy++) {
    const run = await ctx.dataset({ transport: 'kafka', transactions, copy });
    if (copy > 0 && run.records !== runs[0].records) throw new Error(`repeat ${copy} wrote ${run.records} records, the first ${runs[0].records}`);
    runs.push(run);
    pps.push(await producerPerformance(ctx, { records: run.records, size, partitions: run.partitions }));
  }
  const data = runs.reduce((a, b) => (b.wall < a.wall ? b : a));
  const busy = Math.max(data.wall - startup, 1e-3);
  const figure = data.records / busy;
  const pp = pps.reduce((a, b) => (b.recordsPerSecond > a.recordsPerSecond ? b : a));
  const reference = pp.recordsPerSecond;
  const ratio = figure / reference;
  const met = ratio >= 0.5;
  const note = [
    `${data.records.toLocaleString('en-US')} records (${data.counts.purchases.toLocaleString('en-US')} purchases, ${data.counts.inventories.toLocaleString('en-US')} restocks, ${data.counts.products} products) from ${transactions.toLocaleString('en-US')} transactions, 1 partition, keyed by product_id`,
    `fastest of ${repeat} interleaved with the reference's (walls ${runs.map((r) => r.wall.toFixed(2)).join(', ')} s; ProducerPerformance ${pps.map((p) => Math.round(p.recordsPerSecond).toLocaleString('en-US')).join(', ')} records/s)`,
    `wall ${data.wall.toFixed(2)} s minus CLI start-up ${startup.toFixed(2)} s; the CLI's own summary says ${data.seconds.toFixed(2)} s; peak RSS ${data.peakRssMB ? Math.round(data.peakRssMB) + ' MB' : 'n/a'}`,
    `reference: ProducerPerformance --num-records ${data.records} --record-size ${size} (mean purchase value) --throughput -1 acks=all, ${pp.mbPerSecond} MB/s, its own timing (JVM start-up excluded)`,
  ];
  note.push(simulationNote(simulation, busy));
  if (!met) note.push(`missed: salesstream reaches ${(ratio * 100).toFixed(0)} % of the Java producer${simulation.seconds !== undefined ? `; about ${Math.max(busy - simulation.seconds, 0).toFixed(1)} s go to the Kafka path (kafkajs encoding, batching, acks=all round trips)` : ''}`);
  return {
    what: '`generate --fast` into Kafka, records/s',
    figure, unit: 'records/s',
    reference: 'Kafka ProducerPerformance (kafka-tools), same count and mean size, acks=all',
    referenceFigure: reference, ratio, goal: '≥ 0.5', met, note: note.join('; '),
  };
}

/**
 * Kafka's ProducerPerformance (kafka-tools) into a fresh topic: `records` records of `size` bytes,
 * acks=all, no rate cap; its own timing (JVM start-up excluded). The reference of the Kafka
 * generate rows (here and in alt-client.mjs). → { recordsPerSecond, mbPerSecond }
 */
export async function producerPerformance(ctx, { records, size, partitions = 1 }) {
  const topic = ctx.topic(`producerperf-${randomBytes(3).toString('hex')}`);
  await ctx.createTopic(topic, partitions);
  const pp = await ctx.java('org.apache.kafka.tools.ProducerPerformance', [
    '--bootstrap-server', ctx.brokers, '--topic', topic, '--num-records', String(records),
    '--record-size', String(size), '--throughput', '-1', '--command-property', 'acks=all',
  ], { heap: '512m' });
  await ctx.deleteTopics([topic]);
  // last line: "N records sent, R records/sec (X MB/sec), … ms avg latency, …"
  const m = /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\)[^\n]*?([\d.]+) ms avg latency/.exec(pp.stdout.split('\n').filter((l) => /records sent/.test(l)).pop() ?? '');
  if (pp.code !== 0 || !m) throw new CommandError('ProducerPerformance', pp);
  return { recordsPerSecond: Number(m[2]), mbPerSecond: m[3] };
}

/** Runs of the (short) embedded measurements; the fastest counts on both sides. */
const REPEAT = { full: 3, quick: 1 };

async function embeddedRow(ctx, { embedded, startup, simulation }) {
  const repeat = ctx.scale(REPEAT.full, REPEAT.quick);
  const more = await ctx.interleavedGenerates('embedded-repeat', {
    embedded: ['--count', String(embedded.transactions), '--seed', String(embedded.seed), '--start-time', '2026-01-01T00:00:00Z'],
  }, repeat - 1);
  const walls = [embedded.wall, ...more.embedded.walls];
  const busy = fastestBusy(walls, startup);
  const specs = Object.values(embedded.topics).map((t) => `${t}=${segmentFiles(embedded.dataDir, t).join(',')}`);
  const plain = await ctx.run(ctx.node, [join(ctx.benchDir, 'lib', 'plain-append.mjs'), `--repeat=${repeat}`, ctx.dir('plain-append'), ...specs], { check: true });
  const p = JSON.parse(plain.stdout.trim().split('\n').pop());
  const reference = p.stringify_append_s;
  const ratio = busy / reference;
  const met = ratio <= 2;
  const note = [
    `${embedded.records.toLocaleString('en-US')} records, ${(p.bytes / 2 ** 20).toFixed(0)} MB of envelopes; fastest of ${repeat} (wall ${walls.map((w) => w.toFixed(2)).join(', ')} s) minus CLI start-up ${startup.toFixed(2)} s (the first run's own summary says ${embedded.seconds.toFixed(2)} s); peak RSS ${embedded.peakRssMB ? Math.round(embedded.peakRssMB) + ' MB' : 'n/a'}`,
    `reference: plain Node JSON.stringify of the same envelopes + one write() per 5,000 records, fastest of ${repeat}, ${p.stringify_append_s.toFixed(2)} s (writing the already-serialised lines alone: ${p.append_only_s.toFixed(2)} s)`,
    simulationNote(simulation, busy),
  ];
  if (!met) {
    const rest = simulation.seconds === undefined ? undefined : busy - simulation.seconds;
    note.push(`missed: ${ratio.toFixed(1)}× the plain writer${rest === undefined ? '' : `; without the simulation salesstream would need ${Math.max(rest, 0).toFixed(2)} s (${(Math.max(rest, 0) / reference).toFixed(1)}× the plain writer's stringify + write)`}`);
  }
  return {
    what: '`generate --fast` into the embedded log, time',
    figure: busy, unit: 's',
    reference: 'plain Node appending the same JSON lines to files',
    referenceFigure: reference, ratio, goal: '≤ 2× its time', met, note: note.join('; '),
  };
}
