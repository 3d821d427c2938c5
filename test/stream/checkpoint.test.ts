import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedTransport } from '../../src/transport/embedded/embedded.js';
import { EmbeddedExactlyOnce } from '../../src/transport/embedded/exactly-once.js';
import type { ExactlyOnceHandlers, RestoredPartition } from '../../src/transport/exactly-once.js';
import { tempDir } from '../helpers/cli.js';

async function readAll(t: EmbeddedTransport, topic: string) {
  const ranges = await t.partitions(topic);
  const out: string[] = [];
  for await (const batch of t.read({ topic, from: new Map(ranges.map((r) => [r.partition, r.start])), until: new Map(ranges.map((r) => [r.partition, r.end])) })) out.push(...batch.map((r) => r.value));
  return out;
}

/** Runs the loop until it has restored its partitions, then hands it back. */
async function started(t: EmbeddedTransport) {
  const loop = new EmbeddedExactlyOnce({ transport: t, source: 'in', group: 'g', from: 'beginning', outputs: ['out'] });
  const restored: RestoredPartition[] = [];
  const handlers: ExactlyOnceHandlers = { assigned: (r) => restored.push(r), revoked: () => undefined, records: () => undefined, peer: () => undefined };
  const running = loop.run(handlers);
  while (restored.length === 0) await new Promise((r) => setTimeout(r, 5));
  return { loop, restored, running };
}

describe('the embedded log\'s exactly-once checkpoint', () => {
  it('restores state and offsets as committed, and redoes the appends a crash cut off exactly once', async () => {
    const t = new EmbeddedTransport(tempDir());
    await t.createTopic('in', 1);
    await t.createTopic('out', 1);
    // the input the commits below read (a checkpoint past the input's end is refused)
    const w = await t.writer();
    await w.send('in', Array.from({ length: 12 }, (_, i) => ({ key: null, value: `in${i}` })));
    await w.close();
    const first = await started(t);
    expect(first.restored).toEqual([{ partition: 0, next: 0, committed: false, state: new Map() }]);
    await first.loop.commit({ partition: 0, next: 7, state: [['A', '1']], outputs: [{ topic: 'out', records: [{ key: 'A', value: 'a1' }] }] });
    await first.loop.commit({ partition: 0, next: 9, state: [['B', '2']], outputs: [{ topic: 'out', records: [{ key: 'B', value: 'b1' }] }] });
    await first.loop.stop();
    await first.running;
    expect(await readAll(t, 'out')).toEqual(['a1', 'b1']);

    // a crash after the checkpoint's rename, before its append: the checkpoint owes "c1"
    const path = join(t.dataDir, 'state', 'g', 'in', 'checkpoint.json');
    const checkpoint = JSON.parse(readFileSync(path, 'utf8'));
    checkpoint.partitions[0] = { next: 12, state: { ...checkpoint.partitions[0].state, C: '3' } };
    checkpoint.pending = [{ topic: 'out', partition: 0, end: 2, records: [{ key: 'C', value: 'c1' }] }];
    writeFileSync(path, JSON.stringify(checkpoint));

    for (let restart = 0; restart < 2; restart++) {
      const again = await started(t);
      expect(again.restored).toEqual([{ partition: 0, next: 12, committed: true, state: new Map([['A', '1'], ['B', '2'], ['C', '3']]) }]);
      await again.loop.stop();
      await again.running;
      expect(await readAll(t, 'out')).toEqual(['a1', 'b1', 'c1']);
    }
    expect(await t.committed('g', 'in')).toEqual(new Map([[0, 12]]));
  });
});
