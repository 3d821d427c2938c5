// Issue 14.6: a property test. Whatever file of the embedded log or its state is cut short at
// whatever byte (what a power cut or a bad disk can do), and new records written after: every
// reader sees a clean prefix of the
// records that were acknowledged (or, for a segment before the last, every record but a run of
// offsets that it reports as missing), and an exactly-once processor either resumes exactly —
// its totals equal an independent sum over the acknowledged records, each counted once — or
// refuses with one clear line. Never a silent skip or a double count.
import { cpSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SalesstreamError } from '../../src/errors.js';
import { EmbeddedTransport } from '../../src/transport/embedded/embedded.js';
import { EmbeddedExactlyOnce } from '../../src/transport/embedded/exactly-once.js';
import type { LogRecord } from '../../src/transport/transport.js';
import { tempDir } from '../helpers/cli.js';
import { rng } from '../stream/reference.js';

const CASES = 120;
const KEYS = ['a', 'b', 'c', 'd', 'e'];

/** Every record of a topic, per partition, as the transport's reader gives them. */
async function readTopic(t: EmbeddedTransport, topic: string): Promise<Map<number, LogRecord[]>> {
  const ranges = await t.partitions(topic);
  const out = new Map(ranges.map((r) => [r.partition, [] as LogRecord[]]));
  for await (const batch of t.read({ topic, from: new Map(ranges.map((r) => [r.partition, r.start])), until: new Map(ranges.map((r) => [r.partition, r.end])) })) {
    for (const r of batch) out.get(r.partition)!.push(r);
  }
  return out;
}

/** Running totals per input partition and key: the processor under test, exactly-once on the embedded log. */
async function processAll(t: EmbeddedTransport): Promise<void> {
  const loop = new EmbeddedExactlyOnce({ transport: t, source: 'in', group: 'g', from: 'beginning', outputs: ['out'] });
  const ends = new Map((await t.partitions('in')).map((r) => [r.partition, r.end]));
  const totals = new Map<number, Map<string, number>>();
  const queue: LogRecord[][] = [];
  let failed: unknown;
  const running = loop.run({
    assigned: (r) => totals.set(r.partition, new Map([...r.state].map(([k, v]) => [k, Number(v)]))),
    revoked: () => undefined,
    peer: () => undefined,
    records: (batch) => void queue.push(batch),
  }).catch((err) => (failed = err));
  try {
    for (;;) {
      if (failed !== undefined) throw failed;
      const batch = queue.shift();
      if (batch) {
        const partition = batch[0].partition;
        const sums = totals.get(partition)!;
        const changed = new Set<string>();
        for (const r of batch) {
          const { n } = JSON.parse(r.value);
          sums.set(r.key!, (sums.get(r.key!) ?? 0) + n);
          changed.add(r.key!);
        }
        const keys = [...changed].sort();
        await loop.commit({
          partition, next: batch.at(-1)!.offset + 1,
          state: keys.map((k) => [k, String(sums.get(k))]),
          outputs: [{ topic: 'out', records: keys.map((k) => ({ key: `${partition}:${k}`, value: JSON.stringify({ total: sums.get(k) }) })) }],
        });
      } else if (await loop.caughtUp(ends)) {
        break;
      } else {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  } finally {
    await loop.stop();
    await running;
  }
}

/** The totals the sink should end with: an independent sum over the input as the log holds it. */
function expectedTotals(input: Map<number, LogRecord[]>): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const [p, records] of input) for (const r of records) sums[`${p}:${r.key}`] = (sums[`${p}:${r.key}`] ?? 0) + JSON.parse(r.value).n;
  return sums;
}

function latest(out: Map<number, LogRecord[]>): Record<string, number> {
  const last: Record<string, number> = {};
  for (const records of out.values()) for (const r of records) last[r.key!] = JSON.parse(r.value).total;
  return last;
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile() && !f.endsWith('.lock'));
}

describe('truncating any file of the embedded log or its state at any byte', () => {
  let base: string;
  let acknowledged: Map<number, LogRecord[]>;
  const warnings: string[] = [];

  beforeAll(async () => {
    // 4 rounds of input, each followed by a run of the processor: several commits, segments of ~2 KB
    base = tempDir('truncation-base-');
    const t = new EmbeddedTransport(base, 2048);
    await t.createTopic('in', 2);
    await t.createTopic('out', 1);
    const r = rng(14);
    for (let round = 0; round < 4; round++) {
      const w = await t.writer();
      for (let b = 0; b < 3; b++) {
        await w.send('in', Array.from({ length: 10 }, () => ({ key: r.pick(KEYS), value: JSON.stringify({ n: r.int(1, 100) }) })));
      }
      await w.close();
      await processAll(t);
    }
    acknowledged = await readTopic(t, 'in');
    expect(latest(await readTopic(t, 'out'))).toEqual(expectedTotals(acknowledged));
  });

  afterEach(() => vi.restoreAllMocks());

  it(`${CASES} random cuts: readers see clean prefixes, recovery is exact or refused in one line`, async () => {
    const r = rng(6);
    const all = files(base);
    expect(all.length).toBeGreaterThan(8);
    const outcomes = { exact: 0, refused: 0 };
    for (let c = 0; c < CASES; c++) {
      const dir = tempDir('truncation-case-');
      cpSync(base, dir, { recursive: true });
      const file = join(dir, relative(base, all[c % all.length]));
      const size = statSync(file).size;
      const cut = c < all.length ? 0 : r.int(0, size - 1);
      truncateSync(file, cut);
      const what = `${relative(dir, file)} cut to ${cut} of ${size} bytes`;
      warnings.length = 0;
      vi.spyOn(process.stderr, 'write').mockImplementation((text) => (warnings.push(String(text)), true));
      const t = new EmbeddedTransport(dir);
      const segment = /topics\/(in|out)\/(\d+)\/(\d+)\.ndjson$/.exec(file);

      // every reader: a clean prefix (a segment before the last: all but a reported run of offsets)
      if (segment?.[1] === 'in') {
        const read = await readTopic(t, 'in');
        for (const [p, records] of acknowledged) {
          const got = read.get(p)!;
          if (p !== Number(segment[2])) {
            expect(got, what).toEqual(records);
            continue;
          }
          const prefix = got.findIndex((g, i) => g.offset !== records[i].offset);
          if (prefix === -1) {
            expect(got, what).toEqual(records.slice(0, got.length));
          } else {
            // a hole, then the rest whole, and the hole said
            const resumed = records.findIndex((x) => x.offset === got[prefix].offset);
            expect(got, what).toEqual([...records.slice(0, prefix), ...records.slice(resumed)]);
            expect(warnings.join(''), what).toMatch(new RegExp(`topic in partition ${p}: offsets ${records[prefix].offset} to ${records[resumed].offset - 1} are missing`));
          }
        }
      }

      // recovery: exact, or one clear line
      try {
        // new records arrive before the restart: they must be counted, none skipped
        const before = new Map((await t.partitions('in')).map((x) => [x.partition, x.end]));
        const w = await t.writer();
        try {
          await w.send('in', Array.from({ length: 12 }, () => ({ key: r.pick(KEYS), value: JSON.stringify({ n: r.int(1, 100) }) })));
        } finally {
          await w.close();
        }
        const fresh = [...(await readTopic(t, 'in'))].map(([p, records]) => [p, records.filter((x) => x.offset >= before.get(p)!)] as const);
        await processAll(t);
        // every acknowledged record counted once: those a cut took from a segment before the last
        // were counted before they were lost (and readers report the hole); a cut that took
        // counted records from the end is refused (the checkpoint is past the end, or the records
        // written since in their place are not the ones it counted)
        const counted = new Map([...acknowledged].map(([p, records]) => [p, [...records, ...fresh.find(([q]) => q === p)![1]]]));
        expect(latest(await readTopic(t, 'out')), what).toEqual(expectedTotals(counted));
        outcomes.exact++;
      } catch (err) {
        expect(err, `${what}: ${(err as Error).stack}`).toBeInstanceOf(SalesstreamError);
        expect((err as Error).message, what).not.toContain('\n');
        expect((err as Error).message, what).toMatch(/damaged|past the log's end|no longer there/);
        outcomes.refused++;
      }
      vi.restoreAllMocks();
    }
    // both outcomes are met: the cuts reach data that was counted and data that was not
    expect(outcomes.exact).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  }, 120_000);
});
