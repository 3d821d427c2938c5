// Issue 14.7: no record stops a reader. A record nested 5,000 deep (written with produce --raw)
// and a line of garbage bytes in a segment: tail, stream totals, stream window and drain all
// finish, each skipping the damaged line alike and saying where it is, on every restart.
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli, tempDir } from '../helpers/cli.js';
import { latestByKey, totalsResult } from '../stream/reference.js';

const deep = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const DAMAGED = /^salesstream: warning: topic demo\.purchases partition 0: skipped a damaged line at byte (\d+) of segment 0{20}\.ndjson, after offset (\d+)$/m;

describe('hostile records on the embedded log', () => {
  it('a 5,000-deep record and a garbage line stop no reader, and every reader skips the same line', async () => {
    const cwd = tempDir();
    const ok = async (args: string[]) => {
      const r = await runCli(args, { cwd });
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
      return r;
    };
    await ok(['generate', '--count', '40', '--seed', '8', '--fast', '--start-time', '2026-01-01T08:00:00Z']);
    const hostile = [
      `{"transaction_time":"2026-01-01 08:30:00","product_id":"SC01","price":5.99,"quantity":2,"total_purchase":11.98,"extra":${deep(5000)}}`,
      `{"product_id":${deep(5000)}}`,
    ];
    const produced = await runCli(['produce', 'demo.purchases', '--raw'], { cwd, input: hostile.join('\n') + '\n' });
    expect(produced.code, produced.stderr).toBe(0);
    const dir = join(cwd, '.salesstream', 'topics', 'demo.purchases', '0');
    const segment = join(dir, readdirSync(dir).find((n) => n.endsWith('.ndjson'))!);
    appendFileSync(segment, Buffer.from([0x67, 0x61, 0x72, 0x62, 0x01, 0xff, 0xfe, 0x7b, 0x22, 0x0a]));
    await ok(['generate', '--count', '10', '--seed', '9', '--fast', '--start-time', '2026-01-01T09:00:00Z']);

    const tail = await ok(['tail', 'demo.purchases', '--from', 'beginning', '--format', 'json']);
    const records = jsonLines(tail.stdout);
    expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => i));
    const damage = DAMAGED.exec(tail.stderr);
    expect(damage, tail.stderr).not.toBeNull();
    const lastBefore = Number(damage![2]);
    // the deep record just before the damaged line, read whole (walked down, not compared: a deep compare overflows too)
    let node = records[lastBefore].value.product_id;
    for (let depth = 0; depth < 5000; depth++) node = node.a;
    expect(node).toBe(1);
    // the reference (JSON.stringify inside) cannot take the deep values either: shallow stand-ins,
    // alike for the totals (the deep field is extra; a product_id that is an object is malformed)
    const text = (v: any) => (typeof v === 'string' ? v : v.extra ? JSON.stringify({ ...v, extra: 1 }) : v.product_id?.a ? '{"product_id":{}}' : JSON.stringify(v));
    const input = records.map((r) => text(r.value));

    for (let run = 0; run < 2; run++) {
      // a restart reads on from its checkpoint, past the damage: no second warning there
      const totals = await ok(['stream', 'totals', '--until-end', '--dlq', 'dead', '--format', 'json']);
      if (run === 0) expect(totals.stderr).toContain(damage![0]);
      const window = await ok(['stream', 'window', '--until-end', '--format', 'json']);
      expect(window.stderr).toContain(damage![0]);
    }
    const sink = jsonLines((await ok(['tail', 'demo.running.totals', '--from', 'beginning', '--format', 'json'])).stdout);
    expect(latestByKey(sink)).toEqual(totalsResult(input));
    const dead = jsonLines((await ok(['tail', 'dead', '--from', 'beginning', '--format', 'json'])).stdout);
    expect(dead.map((d) => d.value.offset)).toEqual([lastBefore]);

    const drain = await ok(['drain', 'demo.purchases', '--out', join(cwd, 'drained')]);
    expect(drain.stderr).toContain(damage![0]);
    expect(drain.stdout + drain.stderr).toMatch(new RegExp(`\\+${records.length} records`));
  }, 180_000);
});
