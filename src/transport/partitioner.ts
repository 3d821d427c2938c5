import { createRequire } from 'node:module';

// kafkajs's own murmur2 (the Java client's hash), loaded alone: the embedded log needs Kafka's
// partitioning without paying for loading the whole Kafka client.
const murmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: string) => number;

/**
 * Kafka's default keyed partitioning (toPositive(murmur2(key)) % partitions, as the Java client
 * and kafkajs's DefaultPartitioner), shared by both transports so a key lands in the same
 * partition on either. Keyless records go round-robin from partition 0, which keeps seeded runs
 * identical (kafkajs's own starts at a random partition).
 */
export function createPartitioner(): (key: string | null, partitions: number) => number {
  let next = 0;
  return (key, partitions) => {
    if (partitions <= 1) return 0;
    if (key === null) return next++ % partitions;
    return (murmur2(key) & 0x7fffffff) % partitions;
  };
}
