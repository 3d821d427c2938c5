import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createPartitioner } from './partitioner.js';

describe('createPartitioner', () => {
  it('puts a key where kafkajs\'s DefaultPartitioner (the Java client\'s) puts it', () => {
    const kafkas = kafkajs.Partitioners.DefaultPartitioner();
    const ours = createPartitioner();
    for (const partitions of [2, 3, 7, 12]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0 })) as never;
      for (const key of ['SF07', 'CS01', 'IS04', 'é', '', 'a-much-longer-key-0123456789']) {
        expect(ours(key, partitions), `${key} / ${partitions}`).toBe(kafkas({ topic: 't', partitionMetadata, message: { key, value: null } }));
      }
    }
  });

  it('sends keyless records round-robin from partition 0', () => {
    const ours = createPartitioner();
    expect([0, 1, 2, 3].map(() => ours(null, 3))).toEqual([0, 1, 2, 0]);
  });
});
