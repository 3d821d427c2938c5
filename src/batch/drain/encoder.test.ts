import { describe, expect, it } from 'vitest';
import { packBatch, unpackBatch } from './encoder.js';

describe('packing a batch for the encoder thread', () => {
  it('gives back the same records, null and empty keys and values included', () => {
    const records = [
      { topic: 't', partition: 3, offset: 10, timestamp: 1700000000123, key: 'SF07', value: '{"a":"é ✓"}' },
      { topic: 't', partition: 3, offset: 12, timestamp: 1700000000124, key: null, value: '' },
      { topic: 't', partition: 3, offset: 13, timestamp: 1700000000125, key: '', value: 'not json\nat all' },
    ];
    expect([...unpackBatch('t', packBatch(records))]).toEqual(records);
  });
});
