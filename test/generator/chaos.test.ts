import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePurchase } from '../../src/model/purchase.js';
import { formatTimestamp, parseTimestamp } from '../../src/model/timestamp.js';
import { jsonLines, runCli, tempDir } from '../helpers/cli.js';
import { embeddedRecords, type WireRecord } from './digest.js';
import { predictedLate, type TruthLine } from './truth.js';

const MINUTE = 60_000_000;
const RUN = ['--count', '8000', '--seed', '31', '--fast', '--start-time', '2026-01-05T06:30:00Z'];
const NO_DISORDER = ['--late-fraction', '0', '--duplicate-fraction', '0', '--malformed-fraction', '0'];

async function ok(args: string[], cwd: string) {
  const result = await runCli(args, { cwd, timeoutMs: 120_000 });
  expect(result.code, `salesstream ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

/**
 * Checks a truth file against the topic it describes and the same run without disorder: every
 * listed record is what the line says, every unlisted one is the clean run's record in its place.
 */
function checkTruth(truth: TruthLine[], written: WireRecord[], clean: WireRecord[], maxDelayMs: number): string[] {
  const wrong: string[] = [];
  const fail = (what: string) => wrong.length < 10 && wrong.push(what);
  const listed = new Map(truth.map((l) => [`${l.partition}@${l.offset}`, l]));
  if (listed.size !== truth.length) fail('a record listed twice');
  const byPlace = new Map(written.map((r) => [`${r.partition}@${r.offset}`, r]));
  const lateTexts: string[] = [];
  const streamTime = new Map<number, number>();
  const remaining: (WireRecord & { malformed: boolean })[] = [];
  for (const r of written.slice().sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
    const l = listed.get(`${r.partition}@${r.offset}`);
    const parsed = parsePurchase(r.value);
    const where = `${r.partition}@${r.offset}`;
    const time = parsed.ok ? parsed.value.eventTime : undefined;
    if (l?.kind === 'malformed') {
      if (parsed.ok) fail(`${where}: listed malformed but reads as a purchase`);
      const value = (() => { try { return JSON.parse(r.value); } catch { return undefined; } })();
      if (l.damage === 'truncated' && value !== undefined) fail(`${where}: listed truncated but whole JSON`);
      if (l.damage === 'missing_field' && (value === undefined || l.field! in value)) fail(`${where}: ${l.field} listed missing but there`);
      if (l.damage === 'bad_timestamp' && (value === undefined || parseTimestamp(String(value.transaction_time)) !== undefined)) fail(`${where}: listed bad timestamp`);
      remaining.push({ ...r, malformed: true });
      continue;
    }
    if (!parsed.ok) {
      fail(`${where}: unlisted but malformed (${parsed.reason})`);
      continue;
    }
    if (l?.kind === 'duplicate') {
      const original = byPlace.get(`${l.of!.partition}@${l.of!.offset}`);
      if (original?.value !== r.value) fail(`${where}: listed duplicate of ${l.of!.partition}@${l.of!.offset}, which differs`);
      if (listed.has(`${l.of!.partition}@${l.of!.offset}`)) fail(`${where}: the original is listed too`);
    } else if (l?.kind === 'late') {
      const before = streamTime.get(r.partition);
      if (l.stream_time !== (before === undefined ? null : formatTimestamp(before))) fail(`${where}: stream_time ${l.stream_time}, but ${before === undefined ? 'none' : formatTimestamp(before)}`);
      if (l.transaction_time !== parsed.value.transactionTime) fail(`${where}: transaction_time`);
      if (!(l.delay_ms! >= 1000 && l.delay_ms! <= maxDelayMs)) fail(`${where}: delay ${l.delay_ms}`);
      lateTexts.push(r.value);
    } else if (l !== undefined) {
      fail(`${where}: unknown kind ${l.kind}`);
    } else {
      if (time! < (streamTime.get(r.partition) ?? -Infinity)) fail(`${where}: unlisted but behind the stream`);
      remaining.push({ ...r, malformed: false });
    }
    if (l?.kind !== 'duplicate') streamTime.set(r.partition, Math.max(streamTime.get(r.partition) ?? -Infinity, time!));
  }
  // the unlisted records are the clean run's, in its order of transactions, less the ones gone
  // late (listed) and the damaged ones (listed); two items of a transaction may read the same, so
  // records are compared per transaction, as multisets
  const txOf = (r: WireRecord) => (JSON.parse(r.value) as { transaction_id: string }).transaction_id;
  const txIndex = new Map<string, number>();
  const expected = new Map<number, string[]>();
  for (const r of clean) {
    const id = txOf(r);
    if (!txIndex.has(id)) txIndex.set(id, txIndex.size);
    const group = expected.get(txIndex.get(id)!) ?? [];
    expected.set(txIndex.get(id)!, [...group, r.value]);
  }
  const take = (r: WireRecord) => {
    const index = txIndex.get(txOf(r));
    const group = index === undefined ? undefined : expected.get(index)!;
    const at = group?.indexOf(r.value) ?? -1;
    if (at < 0) return undefined;
    group!.splice(at, 1);
    return index!;
  };
  for (const text of lateTexts) if (take({ partition: 0, offset: 0, key: null, value: text }) === undefined) fail(`a late record is not the clean run's: ${text}`);
  let last = -1;
  for (const r of remaining.filter((x) => !x.malformed)) {
    const index = take(r);
    if (index === undefined) fail(`${r.partition}@${r.offset}: unlisted, and not a record of the clean run`);
    else if (index < last) fail(`${r.partition}@${r.offset}: unlisted, but out of the clean run's order`);
    else last = index;
  }
  const missing = [...expected.values()].reduce((n, g) => n + g.length, 0);
  const malformed = remaining.filter((x) => x.malformed).length;
  if (missing !== malformed) fail(`${missing} clean records are not in the topic, and ${malformed} are listed malformed`);
  return wrong;
}

describe('generate --profile chaos with --truth (issue 12 item 5)', () => {
  it('names every late, duplicate and malformed purchase exactly, and stream window counts the late and malformed ones it predicts', async () => {
    const cwd = tempDir();
    const truthPath = join(cwd, 'truth.ndjson');
    const run = await ok(['--data-dir', 'chaos', 'generate', ...RUN, '--profile', 'chaos', '--truth', truthPath], cwd);
    await ok(['--data-dir', 'clean', 'generate', ...RUN, '--profile', 'chaos', ...NO_DISORDER], cwd);
    const truth = jsonLines<TruthLine>(readFileSync(truthPath, 'utf8'));
    const written = embeddedRecords(join(cwd, 'chaos'), 'demo.purchases');
    const clean = embeddedRecords(join(cwd, 'clean'), 'demo.purchases');
    const count = (kind: string) => truth.filter((l) => l.kind === kind).length;
    expect(run.stdout).toContain(`injected into demo.purchases: ${count('late')} late, ${count('duplicate')} duplicates, ${count('malformed')} malformed`);
    expect(count('late')).toBeGreaterThan(50);
    expect(count('duplicate')).toBeGreaterThan(10);
    expect(count('malformed')).toBeGreaterThan(10);
    expect(checkTruth(truth, written, clean, 30 * 60_000)).toEqual([]);

    for (const [size, slide, watermark] of [['10m', '5m', '10m'], ['5m', '5m', '2m']]) {
      const window = await ok(['--data-dir', 'chaos', 'stream', 'window', '--size', size, '--slide', slide, '--watermark', watermark, '--until-end', '--format', 'json'], cwd);
      const final = jsonLines(window.stdout).pop();
      const m = (text: string) => Number.parseInt(text) * MINUTE;
      const late = predictedLate(truth, { size: m(size), slide: m(slide), watermark: m(watermark) });
      expect(late).toBeGreaterThan(0);
      expect({ late: final.late, malformed: final.malformed }).toEqual({ late, malformed: count('malformed') });
    }
  });
});

describe('generate --lost-sales-topic (issue 12 item 4)', () => {
  it('writes one event per item wanted at an empty shelf, as many as the summary counts, each with too little in stock', async () => {
    const cwd = tempDir();
    const run = await ok(['--data-dir', 'd', 'generate', '--count', '20000', '--seed', '8', '--fast', '--start-time', '2026-01-05T06:00:00Z',
      '--profile', 'realistic', '--restock-lead-time', '1h', '--lost-sales-topic', 'demo.lost.sales'], cwd);
    const summary = /out of stock: ([\d,]+) items wanted, ([\d,]+) taken as another product, ([\d,]+) lost sales .* → demo\.lost\.sales/.exec(run.stdout);
    expect(summary, run.stdout).not.toBeNull();
    const [attempts, substituted, lost] = summary!.slice(1).map((n) => Number(n.replaceAll(',', '')));
    const events = embeddedRecords(join(cwd, 'd'), 'demo.lost.sales').map((r) => JSON.parse(r.value));
    expect(events.length).toBe(attempts);
    expect(events.filter((e) => e.substitute_product_id === null).length).toBe(lost);
    expect(events.filter((e) => e.substitute_product_id !== null).length).toBe(substituted);
    expect(events.every((e) => e.in_stock < e.quantity && e.in_stock >= 0)).toBe(true);
    expect(lost).toBeGreaterThan(0);
  });
});
