#!/usr/bin/env node
// Where `batch top25`'s extra time goes, for the note of a missed batch row: DuckDB's own profile
// (operator time summed over its threads) of the statement salesstream runs to load, check and sum
// the purchases (built from dist/batch, as src/batch/session.ts builds it) and of the bare query.
//   node bench/batch-profile.mjs <dataDir>
// Prints one JSON line: { salesstream: { scan_s, checks_s, other_s }, bare: { … } }.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bareTop25Sql } from './lib/bare-top25.mjs';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const dist = (m) => import(join(root, 'dist', m));
const { openDuckDB } = await dist('batch/duckdb.js');
const { embeddedTopicFiles } = await dist('batch/files.js');
const { rawRelation } = await dist('batch/relation.js');
const { PURCHASES, quoteString, schemaForColumns, summarySelect } = await dist('batch/schema.js');
const { PRODUCT_SALES } = await dist('batch/queries.js');

const dataDir = process.argv[2];
const topicDir = join(dataDir, 'topics', 'demo.purchases');
const read = schemaForColumns(PURCHASES, PRODUCT_SALES.columns);
const files = await embeddedTopicFiles(topicDir, 'demo.purchases');
const statements = {
  salesstream: `CREATE OR REPLACE TEMP TABLE __product_sales AS ${summarySelect(read, rawRelation(read, files.partitions), PRODUCT_SALES)}`,
  bare: bareTop25Sql(`read_ndjson(${quoteString(join(topicDir, '*', '*.ndjson'))})`),
};

/** Operator time by kind: the JSON reader, the projections and filters (the checks), the rest. */
function split(node, sums = { scan_s: 0, checks_s: 0, other_s: 0 }) {
  const type = node.operator_type ?? '';
  const seconds = node.operator_timing ?? 0;
  if (type === 'TABLE_SCAN') sums.scan_s += seconds;
  else if (type === 'PROJECTION' || type === 'FILTER') sums.checks_s += seconds;
  else sums.other_s += seconds;
  for (const child of node.children ?? []) split(child, sums);
  return sums;
}

const out = {};
for (const [name, sql] of Object.entries(statements)) {
  const connection = await openDuckDB();
  const profile = join(tmpdir(), `salesstream-batch-profile-${process.pid}-${name}.json`);
  await connection.run(`PRAGMA enable_profiling = 'json'`);
  await connection.run(`PRAGMA profiling_output = ${quoteString(profile)}`);
  await connection.run(sql);
  await connection.run('PRAGMA disable_profiling');
  const sums = split(JSON.parse(readFileSync(profile, 'utf8')));
  rmSync(profile, { force: true });
  out[name] = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, Number(v.toFixed(2))]));
  connection.closeSync();
}
process.stdout.write(JSON.stringify(out) + '\n');
