// Peak memory of `salesstream stream window` over 10 million purchases (issue 4: < 300 MB, bounded
// by open windows × products, not by events). A row module of `npm run bench` (bench/run.mjs
// --only memory); --quick uses 1 million events.
//
// The input is written once into an embedded log under bench/.work/ by a dedicated fast writer
// (the generator's pacing and inventory simulation are not what is measured) and reused by later
// runs. Event time advances 0–4 s per purchase, 5% arrive up to 5 minutes out of order and 0.5%
// past the watermark (late), so the watermark, late path and window closing all work.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT as root, WORK } from '../lib/context.mjs';

const LIMIT_MB = 300;
const TOPIC = 'bench.purchases';
// update mode holds the most (the previous trigger's rows to diff against); append is lighter
const MODES = ['update'];

const { EmbeddedTransport } = await import(join(root, 'dist/transport/embedded/embedded.js'));
const { formatTimestamp } = await import(join(root, 'dist/model/timestamp.js'));

const products = readFileSync(join(root, 'configuration/products.csv'), 'utf8').trim().split('\n').slice(1).map((line) => {
  const cells = line.split(',');
  return { id: cells[0], cents: Math.round(Number(cells[5]) * 100) };
});

async function writeInput(dataDir, EVENTS) {
  const transport = new EmbeddedTransport(dataDir);
  if (existsSync(join(dataDir, 'topics', TOPIC, 'topic.json'))) {
    const [range] = await transport.partitions(TOPIC);
    if (range.end === EVENTS) return process.stderr.write(`bench: input: ${EVENTS.toLocaleString('en-US')} purchases already in ${dataDir}\n`);
    throw new Error(`${dataDir} holds ${range.end} records, not ${EVENTS}: delete it`);
  }
  mkdirSync(dataDir, { recursive: true });
  await transport.createTopic(TOPIC, 1);
  const writer = await transport.writer();
  let seed = 20260101;
  const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  let clock = Date.UTC(2026, 0, 1, 8) * 1000;
  const started = Date.now();
  let batch = [];
  for (let i = 0; i < EVENTS; i++) {
    clock += Math.floor(random() * 4_000_000);
    const roll = random();
    const t = roll < 0.005 ? clock - 30 * 60_000_000 : roll < 0.055 ? clock - Math.floor(random() * 300_000_000) : clock;
    const p = products[Math.floor(random() * products.length)];
    const quantity = random() < 0.8 ? 1 : random() < 0.85 ? 2 : 3;
    const value = {
      transaction_time: formatTimestamp(t), transaction_id: String(i), product_id: p.id, price: p.cents / 100, quantity,
      is_member: false, member_discount: 0, add_supplements: false, supplement_price: 0, total_purchase: (quantity * p.cents) / 100,
    };
    batch.push({ key: p.id, value: JSON.stringify(value), json: true });
    if (batch.length === 20_000) {
      await writer.send(TOPIC, batch);
      batch = [];
    }
  }
  if (batch.length) await writer.send(TOPIC, batch);
  await writer.close();
  process.stderr.write(`bench: input: wrote ${EVENTS.toLocaleString('en-US')} purchases in ${((Date.now() - started) / 1000).toFixed(1)} s to ${dataDir}\n`);
}

function measureMode(dataDir, mode) {
  const command = [join(root, 'bin/salesstream'), '--data-dir', dataDir, 'stream', 'window', '--source', TOPIC,
    '--size', '10m', '--slide', '5m', '--output-mode', mode, '--trigger', '1s', '--until-end', '--format', 'json'];
  const started = Date.now();
  // GNU time reports the child's peak resident set size
  const run = spawnSync('/usr/bin/time', ['-v', process.execPath, ...command], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = (Date.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`stream window (${mode}) failed: ${run.stderr.slice(-2000)}`);
  const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1]);
  const lines = run.stdout.trim().split('\n');
  const last = JSON.parse(lines.at(-1));
  return { mode, peakMb: peakKb / 1024, seconds, eventsPerSecond: last.events / seconds, events: last.events, late: last.late, batches: lines.length };
}

export async function measure(ctx) {
  const events = ctx.scale(10_000_000, 1_000_000);
  const dataDir = join(WORK, `stream-${events}`);
  await writeInput(dataDir, events);
  return MODES.map((mode) => {
    const r = measureMode(dataDir, mode);
    return {
      what: `peak RSS over ${events.toLocaleString('en-US')} events, \`stream window --size 10m --slide 5m --output-mode ${mode}\``,
      figure: Math.round(r.peakMb),
      unit: 'MB',
      reference: '—',
      ratio: null,
      goal: `≤ ${LIMIT_MB} MB`,
      met: r.peakMb <= LIMIT_MB,
      note: `${r.events.toLocaleString('en-US')} events (${r.late.toLocaleString('en-US')} late) from the embedded log in ${r.seconds.toFixed(1)} s = ${Math.round(r.eventsPerSecond).toLocaleString('en-US')} events/s, ${r.batches} triggers of 1 s; input written once by a dedicated writer and reused (5% out of order within 5 min, 0.5% late)`,
    };
  });
}
