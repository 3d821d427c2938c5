#!/usr/bin/env node
// Bench-only: salesstream's own generate job (dist/jobs/generate.js runGenerate) into Kafka through
// a chosen client, as `salesstream --brokers B generate --fast` does it: the same config loading
// (ini + products.csv, found as the CLI finds them), catalog, rules and summary counts. Only the
// topic names come from the command line, so every bench run writes fresh topics.
//
//   node generate.mjs --client kafkajs|platformatic --brokers host:port --count N --seed S
//                     --start-time ISO --partitions P --topics products,purchases,inventories
//
// Prints one JSON line: { client, node, seconds, loadSeconds, summarySeconds, counts }. `seconds` runs from
// before the transport module is loaded (the CLI loads kafkajs lazily too, in openTransport) to
// after the transport is closed: everything but Node's own start-up and loading salesstream's
// modules, the same part bench/README.md's timing rule keeps for the CLI.
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({
  options: {
    client: { type: 'string' }, brokers: { type: 'string' }, count: { type: 'string' }, seed: { type: 'string' },
    'start-time': { type: 'string' }, partitions: { type: 'string', default: '1' }, topics: { type: 'string' },
  },
});
const [products, purchases, inventories] = (a.topics ?? '').split(',');
if (!['kafkajs', 'platformatic'].includes(a.client) || !a.brokers || !a.count || !a.seed || !a['start-time'] || !inventories) {
  process.stderr.write('usage: generate.mjs --client kafkajs|platformatic --brokers B --count N --seed S --start-time ISO [--partitions P] --topics a,b,c\n');
  process.exit(2);
}

const { loadConfig, loadCatalog } = await import('../../dist/config/load.js');
const { runGenerate } = await import('../../dist/jobs/generate.js');
const { isoTime } = await import('../../dist/cli/values.js');

const started = performance.now();
const config = loadConfig({ brokers: a.brokers });
const catalog = loadCatalog(config.catalogPath);
// loading the client is timed apart too: @platformatic/kafka takes ~1 s (hundreds of ES modules
// and ajv schema compiles), kafkajs ~0.1 s, a fixed cost that says nothing about throughput
const loading = performance.now();
const transport = a.client === 'platformatic'
  ? new (await import('./platformatic-transport.mjs')).PlatformaticTransport(config.brokers, config.auth)
  : new (await import('../../dist/transport/kafka.js')).KafkaTransport(config.brokers, config.auth);
const loadSeconds = (performance.now() - loading) / 1000;
let summary;
try {
  summary = await runGenerate({
    transport,
    topics: { products, purchases, inventories },
    catalog,
    rules: config.rules,
    fast: true,
    count: Number(a.count),
    seed: Number(a.seed),
    startTime: isoTime('--start-time', a['start-time']),
    keys: 'product_id',
    partitions: Number(a.partitions),
  });
} finally {
  await transport.close();
}
const seconds = (performance.now() - started) / 1000;
const { transactions, products: p, purchases: pu, inventories: inv } = summary;
process.stdout.write(JSON.stringify({
  client: a.client, node: process.version, seconds, loadSeconds, summarySeconds: summary.seconds,
  counts: { transactions, products: p, purchases: pu, inventories: inv },
}) + '\n');
