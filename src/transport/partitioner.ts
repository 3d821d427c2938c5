import kafkajs from 'kafkajs';

/**
 * Kafka's default keyed partitioning (murmur2, as the Java client), shared by both transports so
 * a key lands in the same partition on either. Keyless records go round-robin from partition 0,
 * which keeps seeded runs identical (kafkajs's own starts at a random partition).
 */
export function createPartitioner(): (key: string | null, partitions: number) => number {
  const keyed = kafkajs.Partitioners.DefaultPartitioner();
  let next = 0;
  const metadataCache = new Map<number, { partitionId: number; leader: number }[]>();
  return (key, partitions) => {
    if (partitions <= 1) return 0;
    if (key === null) return next++ % partitions;
    let metadata = metadataCache.get(partitions);
    if (!metadata) {
      metadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0 }));
      metadataCache.set(partitions, metadata);
    }
    return keyed({ topic: '', partitionMetadata: metadata as never, message: { key, value: null } });
  };
}
