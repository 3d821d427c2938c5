#!/usr/bin/env node
// Diagnostic for the generate rows: salesstream's own simulation (dist/generator) plus the
// JSON.stringify of every message, with no transport at all — how much of generate's time is the
// simulation itself. Not a reference; its figure goes in the row's note.
//
//   node bench/lib/simulate-only.mjs TRANSACTIONS SEED
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const [count, seed] = process.argv.slice(2).map(Number);
const { loadConfig, loadCatalog } = await import(resolve(root, 'dist/config/load.js'));
const { seededRandom } = await import(resolve(root, 'dist/generator/random.js'));
const { simulateSales } = await import(resolve(root, 'dist/generator/simulation.js'));
const config = loadConfig({}, {});
const catalog = loadCatalog(config.catalogPath);
const started = performance.now();
let events = 0;
let bytes = 0;
for (const step of simulateSales({ catalog, rules: config.rules, random: seededRandom(seed), startTime: Date.parse('2026-01-01T00:00:00Z') * 1000, count })) {
  for (const e of step.events) {
    bytes += JSON.stringify(e.value).length;
    events++;
  }
}
process.stdout.write(JSON.stringify({ events, bytes, simulate_stringify_s: (performance.now() - started) / 1000 }) + '\n');
