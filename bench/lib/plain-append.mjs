#!/usr/bin/env node
// The reference for "generate --fast into the embedded log": plain Node appending the same JSON
// lines to files, with nothing else (no simulation, no locks, no framework).
//
//   node bench/lib/plain-append.mjs [--repeat=N] OUT_DIR TOPIC=SEGMENT[,SEGMENT…] …
//
// Untimed: reads the embedded log's segment files (the exact envelopes salesstream wrote) and
// parses them into { key, value } objects in memory. Then two timed passes, 5,000 records per
// write() as generate batches them, one output file per topic:
//   stringify_append_s  JSON.stringify of each envelope {"offset","timestamp","key","value"} + append
//   append_only_s       append of the original lines, already serialised (pure I/O)
// Each pass runs --repeat times (default 1) into fresh files; the fastest counts.
// Prints one JSON line with both, the load time and the byte count.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const repeatArg = argv[0]?.startsWith('--repeat=') ? argv.shift() : '--repeat=1';
const repeat = Math.max(1, Number(repeatArg.slice('--repeat='.length)) || 1);
const [outDir, ...specs] = argv;
if (!outDir || specs.length === 0) {
  process.stderr.write('usage: plain-append.mjs OUT_DIR TOPIC=FILE[,FILE…] …\n');
  process.exit(2);
}
const BATCH = 5000;
const t0 = performance.now();
const topics = specs.map((spec) => {
  const [topic, files] = spec.split('=');
  const lines = [];
  for (const f of files.split(',')) for (const l of readFileSync(f, 'utf8').split('\n')) if (l) lines.push(l);
  const records = lines.map((l) => {
    const e = JSON.parse(l);
    return { key: e.key, value: e.value };
  });
  return { topic, lines, records };
});
const loadS = (performance.now() - t0) / 1000;
mkdirSync(outDir, { recursive: true });

function pass(name, serialise) {
  let best;
  for (let i = 0; i < repeat; i++) {
    for (const t of topics) rmSync(join(outDir, `${name}.${t.topic}.ndjson`), { force: true });
    const r = passOnce(name, serialise);
    if (!best || r.seconds < best.seconds) best = r;
  }
  return best;
}

function passOnce(name, serialise) {
  const started = performance.now();
  let bytes = 0;
  for (const t of topics) {
    const fd = openSync(join(outDir, `${name}.${t.topic}.ndjson`), 'a');
    for (let i = 0; i < t.records.length; i += BATCH) {
      const text = serialise(t, i, Math.min(i + BATCH, t.records.length));
      const buf = Buffer.from(text, 'utf8');
      let written = 0;
      while (written < buf.length) written += writeSync(fd, buf, written, buf.length - written);
      bytes += buf.length;
    }
    closeSync(fd);
  }
  return { seconds: (performance.now() - started) / 1000, bytes };
}

const a = pass('stringify', (t, from, to) => {
  const timestamp = Date.now();
  let text = '';
  for (let i = from; i < to; i++) {
    const r = t.records[i];
    text += JSON.stringify({ offset: i, timestamp, key: r.key, value: r.value }) + '\n';
  }
  return text;
});
const b = pass('raw', (t, from, to) => t.lines.slice(from, to).join('\n') + '\n');
const records = topics.reduce((n, t) => n + t.records.length, 0);
process.stdout.write(JSON.stringify({ records, bytes: a.bytes, load_s: loadS, stringify_append_s: a.seconds, append_only_s: b.seconds }) + '\n');
