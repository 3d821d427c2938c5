import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../transport.js';
import { EmbeddedTransport } from './embedded.js';

const fresh = (segmentBytes?: number) => new EmbeddedTransport(mkdtempSync(join(tmpdir(), 'embedded-')), segmentBytes);

async function readAll(t: EmbeddedTransport, topic: string, from?: Map<number, number>): Promise<LogRecord[]> {
  const ranges = await t.partitions(topic);
  const out: LogRecord[] = [];
  const start = from ?? new Map(ranges.map((r) => [r.partition, r.start]));
  for await (const batch of t.read({ topic, from: start, until: new Map(ranges.map((r) => [r.partition, r.end])) })) out.push(...batch);
  return out;
}

async function send(t: EmbeddedTransport, topic: string, records: { key: string | null; value: string }[]) {
  const w = await t.writer();
  await w.send(topic, records);
  await w.close();
}

describe('the embedded log', () => {
  it('appends with offsets, keys and timestamps and reads them back exactly', async () => {
    const t = fresh();
    expect(await t.createTopic('a', 1)).toBe(true);
    expect(await t.createTopic('a', 1)).toBe(false);
    const values = ['{"x":1}', '[1,2]', 'not json', '"a string"', '{"broken":', ''];
    await send(t, 'a', values.map((value, i) => ({ key: i % 2 ? null : `k${i}`, value })));
    const records = await readAll(t, 'a');
    expect(records.map((r) => r.value)).toEqual(values);
    expect(records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(records.map((r) => r.key)).toEqual(['k0', null, 'k2', null, 'k4', null]);
    expect(records.every((r) => Math.abs(r.timestamp - Date.now()) < 10_000)).toBe(true);
    expect(await t.partitions('a')).toEqual([{ partition: 0, start: 0, end: 6 }]);
  });

  it('spreads keys over partitions as Kafka\'s murmur2 does, same key same partition', async () => {
    const t = fresh();
    await t.createTopic('p', 3);
    await send(t, 'p', Array.from({ length: 300 }, (_, i) => ({ key: `SF0${i % 7}`, value: `{"i":${i}}` })));
    const records = await readAll(t, 'p');
    expect(records).toHaveLength(300);
    const partitionOf = new Map<string, Set<number>>();
    for (const r of records) partitionOf.set(r.key!, (partitionOf.get(r.key!) ?? new Set()).add(r.partition));
    expect([...partitionOf.values()].every((s) => s.size === 1)).toBe(true);
    expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThan(1);
  });

  it('rolls segments and seeks to any offset across them', async () => {
    const t = fresh(2_000);
    await t.createTopic('s', 1);
    for (let b = 0; b < 10; b++) await send(t, 's', Array.from({ length: 50 }, (_, i) => ({ key: null, value: `{"n":${b * 50 + i}}` })));
    expect(readdirSync(join(t.topicDir('s'), '0')).filter((f) => f.endsWith('.ndjson')).length).toBeGreaterThan(3);
    const all = await readAll(t, 's');
    expect(all.map((r) => JSON.parse(r.value).n)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    const tail = await readAll(t, 's', new Map([[0, 437]]));
    expect(tail.map((r) => r.offset)).toEqual(Array.from({ length: 63 }, (_, i) => 437 + i));
  });

  it('writes large batches of multi-byte text whole, batch after batch', async () => {
    const t = fresh();
    await t.createTopic('u', 1);
    // more lines than one text chunk, values from 1 byte to 100 KB, with 2-, 3- and 4-byte characters
    const values = Array.from({ length: 1500 }, (_, i) => i % 500 === 7 ? JSON.stringify({ big: 'é☕😀'.repeat(10_000 + i) }) : `{"i":${i},"s":"é☕😀${'x'.repeat(i % 50)}"}`);
    await send(t, 'u', values.slice(0, 1000).map((value, i) => ({ key: `k☕${i % 3}`, value, json: true })));
    await send(t, 'u', values.slice(1000).map((value) => ({ key: null, value })));
    const records = await readAll(t, 'u');
    expect(records.map((r) => r.value)).toEqual(values);
    expect(records.map((r) => r.offset)).toEqual(values.map((_, i) => i));
    expect(records[4].key).toBe('k☕1');
  });

  it('never shows an unfinished line, and the next writer cuts it off and carries on', async () => {
    const t = fresh();
    await t.createTopic('c', 1);
    await send(t, 'c', [{ key: null, value: '{"a":1}' }, { key: null, value: '{"a":2}' }]);
    const segment = join(t.topicDir('c'), '0', '00000000000000000000.ndjson');
    appendFileSync(segment, '{"offset":2,"timestamp":1,"key":null,"value":{"a":'); // a writer killed mid-write
    expect((await readAll(t, 'c')).map((r) => r.value)).toEqual(['{"a":1}', '{"a":2}']);
    await send(t, 'c', [{ key: null, value: '{"a":3}' }]);
    expect((await readAll(t, 'c')).map((r) => `${r.offset}:${r.value}`)).toEqual(['0:{"a":1}', '1:{"a":2}', '2:{"a":3}']);
    expect(readFileSync(segment, 'utf8').split('\n').filter(Boolean).every((l) => JSON.parse(l))).toBe(true);
  });

  it('follows a topic while it is written, until aborted', async () => {
    const t = fresh();
    await t.createTopic('f', 1);
    const controller = new AbortController();
    const seen: number[] = [];
    const reading = (async () => {
      for await (const batch of t.read({ topic: 'f', from: new Map([[0, 0]]), signal: controller.signal })) {
        seen.push(...batch.map((r) => r.offset));
        if (seen.length === 30) controller.abort();
      }
    })();
    const w = await t.writer();
    for (let i = 0; i < 3; i++) {
      await w.send('f', Array.from({ length: 10 }, () => ({ key: null, value: '{}' })));
      await new Promise((r) => setTimeout(r, 80));
    }
    await w.close();
    await reading;
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('keeps consumer-group offsets per topic', async () => {
    const t = fresh();
    await t.commit('g', 'l', new Map([[0, 1]]));
    await t.commit('g', 'm', new Map([[0, 5], [1, 7]]));
    await t.commit('g', 'l', new Map([[0, 3]]));
    expect(await t.committed('g', 'l')).toEqual(new Map([[0, 3]]));
    expect(await t.committed('g', 'm')).toEqual(new Map([[0, 5], [1, 7]]));
    expect(await t.committed('other', 'l')).toEqual(new Map());
  });

  it('names an unknown topic', async () => {
    await expect(fresh().partitions('nope')).rejects.toThrow(/unknown topic nope/);
  });
});
