import { describe, expect, it } from 'vitest';
import { ByteBuffer } from '../../fs/byte-buffer.js';
import { writeCheckpointJson, type Checkpoint } from './checkpoint-json.js';

/** Text that JSON must escape, and text past one byte per character in UTF-8. */
const AWKWARD = ['', 'plain', 'quote " and backslash \\', 'line\nbreak\ttab', 'café ☕ 🍓', '\u0000\u001f', '{"nested":[1,2]}', '\ud800 lone surrogate'];

function checkpoint(appends: number, records: number): Checkpoint {
  return {
    version: 1,
    source: 'demo.purchases',
    partitions: {
      0: { next: 42, state: { 'w:7': AWKWARD[4], 'v:SF07@1': '{"price":5.99}' }, last: { timestamp: 1767225600000, digest: 'abc' } },
      2: { next: 0, state: {} },
    },
    pending: Array.from({ length: appends }, (_, a) => ({
      topic: `sink-${a}`,
      partition: a,
      end: 1000 * a,
      records: Array.from({ length: records }, (_, i) => ({ key: i % 3 ? AWKWARD[i % AWKWARD.length] : null, value: AWKWARD[(i + a) % AWKWARD.length], ...(i % 2 ? { json: true } : {}) })),
    })),
  };
}

describe('writeCheckpointJson', () => {
  it.each([[0, 0], [1, 0], [1, 1], [3, 257], [2, 1000]])('writes %i appends of %i records as the JSON of the whole checkpoint', (appends, records) => {
    const c = checkpoint(appends, records);
    const out = new ByteBuffer();
    out.write('left over from a previous commit');
    out.reset();
    writeCheckpointJson(out, c);
    expect(JSON.parse(out.bytes().toString('utf8'))).toEqual(JSON.parse(JSON.stringify(c)));
  });
});
