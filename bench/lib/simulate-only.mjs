#!/usr/bin/env node
// Diagnostic for the generate rows: salesstream's own generate job (dist/jobs/generate.js) with a
// transport that discards every record — the simulation, the message texts and the batching, with
// no I/O at all: how much of generate's time is not the transport's. Not a reference; its figure
// goes in the rows' notes.
//
//   node bench/lib/simulate-only.mjs TRANSACTIONS SEED
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const [count, seed] = process.argv.slice(2).map(Number);
const { loadConfig, loadCatalog } = await import(resolve(root, 'dist/config/load.js'));
const { runGenerate } = await import(resolve(root, 'dist/jobs/generate.js'));
const config = loadConfig({}, {});
const catalog = loadCatalog(config.catalogPath);

let records = 0;
let bytes = 0;
/** The two Transport methods generate uses; records are counted and dropped. */
const discard = {
  createTopic: async () => true,
  writer: async () => ({
    send: async (_topic, batch) => {
      records += batch.length;
      for (const r of batch) bytes += r.value.length;
    },
    close: async () => {},
  }),
};
const started = performance.now();
await runGenerate({
  transport: discard, topics: config.topics, catalog, rules: config.rules, seed, count, fast: true,
  startTime: Date.parse('2026-01-01T00:00:00Z') * 1000, keys: 'product_id', partitions: 1,
});
process.stdout.write(JSON.stringify({ events: records, bytes, no_transport_s: (performance.now() - started) / 1000 }) + '\n');
