// Issue 14.4 and 14.5: recovery of the embedded exactly-once checkpoint. A crash anywhere in
// the appends a commit owes leaves a prefix of them (whole lines, perhaps a torn last one); the
// restart appends exactly the records missing. A checkpoint or committed offset ahead of the
// log (the log lost records) is refused with one line saying how to recover.
import { appendFileSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedTransport } from '../../src/transport/embedded/embedded.js';
import { encodeEnvelope } from '../../src/transport/embedded/envelope.js';
import { EmbeddedExactlyOnce } from '../../src/transport/embedded/exactly-once.js';
import type { ExactlyOnceHandlers, RestoredPartition } from '../../src/transport/exactly-once.js';
import { tempDir } from '../helpers/cli.js';

async function readAll(t: EmbeddedTransport, topic: string) {
  const ranges = await t.partitions(topic);
  const out: { offset: number; value: string }[] = [];
  for await (const batch of t.read({ topic, from: new Map(ranges.map((r) => [r.partition, r.start])), until: new Map(ranges.map((r) => [r.partition, r.end])) })) {
    out.push(...batch.map((r) => ({ offset: r.offset, value: r.value })));
  }
  return out;
}

async function send(t: EmbeddedTransport, topic: string, values: string[]) {
  const w = await t.writer();
  await w.send(topic, values.map((value) => ({ key: null, value })));
  await w.close();
}

/** Starts the loop, waits until it restored its partitions (or failed), and stops it. */
async function restart(t: EmbeddedTransport): Promise<RestoredPartition[]> {
  const loop = new EmbeddedExactlyOnce({ transport: t, source: 'in', group: 'g', from: 'beginning', outputs: ['out'] });
  const restored: RestoredPartition[] = [];
  const handlers: ExactlyOnceHandlers = { assigned: (r) => restored.push(r), revoked: () => undefined, records: () => undefined, peer: () => undefined };
  const running = loop.run(handlers);
  let failed: unknown;
  running.catch((err) => (failed = err));
  while (restored.length === 0 && failed === undefined) await new Promise((r) => setTimeout(r, 5));
  if (failed !== undefined) throw failed;
  await loop.stop();
  await running;
  return restored;
}

const checkpointPath = (t: EmbeddedTransport) => join(t.dataDir, 'state', 'g', 'in', 'checkpoint.json');
const segmentPath = (t: EmbeddedTransport, topic: string) => join(t.topicDir(topic), '0', readdirSync(join(t.topicDir(topic), '0')).find((n) => n.endsWith('.ndjson'))!);

describe('the embedded exactly-once checkpoint after a crash', () => {
  const owed = Array.from({ length: 6 }, (_, i) => JSON.stringify({ product: `P${i}`, total: i * 1.5 }));
  for (const torn of [false, true]) {
    it(`appends exactly the owed records a crash mid-append left out, whatever prefix was written${torn ? ', after a torn line' : ''}`, async () => {
      for (let present = 0; present <= owed.length; present++) {
        const t = new EmbeddedTransport(tempDir());
        await t.createTopic('in', 1);
        await t.createTopic('out', 1);
        await send(t, 'in', Array.from({ length: 10 }, (_, i) => `in${i}`));
        await send(t, 'out', ['earlier']);
        // a commit of 10 input records that owes `owed`, crashed after `present` of them
        const first = await restart(t);
        expect(first[0].committed).toBe(false);
        writeFileSync(checkpointPath(t), JSON.stringify({
          version: 1, source: 'in', partitions: { 0: { next: 10, state: { k: 'v' } } },
          pending: [{ topic: 'out', partition: 0, end: 1, records: owed.map((value) => ({ key: null, value })) }],
        }));
        if (present) await send(t, 'out', owed.slice(0, present));
        if (torn && present < owed.length) appendFileSync(segmentPath(t, 'out'), encodeEnvelope(1 + present, 0, null, owed[present]).slice(0, 25));
        for (let again = 0; again < 2; again++) {
          const restored = await restart(t);
          expect(restored).toEqual([{ partition: 0, next: 10, committed: true, state: new Map([['k', 'v']]) }]);
          expect(await readAll(t, 'out')).toEqual(['earlier', ...owed].map((value, offset) => ({ offset, value })));
        }
      }
    });
  }

  it('refuses a checkpoint past the end of its input (the input log lost records)', async () => {
    const t = new EmbeddedTransport(tempDir());
    await t.createTopic('in', 1);
    await t.createTopic('out', 1);
    await send(t, 'in', Array.from({ length: 10 }, (_, i) => `in${i}`));
    await restart(t);
    writeFileSync(checkpointPath(t), JSON.stringify({ version: 1, source: 'in', partitions: { 0: { next: 10, state: {} } }, pending: [] }));
    await restart(t);
    // a power cut took the last 4 records of the input
    const segment = segmentPath(t, 'in');
    const lines = readFileSync(segment, 'utf8').split('\n');
    truncateSync(segment, lines.slice(0, 6).join('\n').length + 1);
    await expect(restart(t)).rejects.toThrow(/^group g's checkpoint \(.*checkpoint\.json\) is at offset 10 of in partition 0, past the log's end 6: the log lost records since; to recompute from what the log holds, delete .* and the records of out/);
  });

  it('refuses a checkpoint whose owed output lies past the end of the output log', async () => {
    const t = new EmbeddedTransport(tempDir());
    await t.createTopic('in', 1);
    await t.createTopic('out', 1);
    await send(t, 'in', ['a', 'b']);
    await restart(t);
    writeFileSync(checkpointPath(t), JSON.stringify({ version: 1, source: 'in', partitions: { 0: { next: 2, state: {} } }, pending: [{ topic: 'out', partition: 0, end: 3, records: [{ key: null, value: 'x' }] }] }));
    await expect(restart(t)).rejects.toThrow(/wrote output that is at offset 3 of out partition 0, past the log's end 0/);
    expect(await readAll(t, 'out')).toEqual([]);
  });

  it('refuses a damaged checkpoint instead of starting over', async () => {
    const t = new EmbeddedTransport(tempDir());
    await t.createTopic('in', 1);
    await t.createTopic('out', 1);
    await restart(t);
    writeFileSync(checkpointPath(t), '{"version":1,"sou');
    await expect(restart(t)).rejects.toThrow(/checkpoint\.json is damaged \(not whole JSON\)/);
  });

  it('refuses committed group offsets past the end of the log', async () => {
    const t = new EmbeddedTransport(tempDir());
    await t.createTopic('in', 1);
    await send(t, 'in', ['a', 'b', 'c']);
    await t.commit('readers', 'in', new Map([[0, 3]]));
    expect(await t.committed('readers', 'in')).toEqual(new Map([[0, 3]]));
    truncateSync(segmentPath(t, 'in'), readFileSync(segmentPath(t, 'in'), 'utf8').indexOf('\n') + 1);
    await expect(t.committed('readers', 'in')).rejects.toThrow(/^group readers's committed position \(.*readers\.json\) is at offset 3 of in partition 0, past the log's end 1: .*delete that file/);
  });
});
