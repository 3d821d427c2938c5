// The kafkajs ceiling of a Kafka-to-Kafka exactly-once job on this machine (bench/rows/enrich.mjs):
// reads a topic read-committed in a consumer group and copies every record unchanged to a sink, in
// transactions of `unit` records that carry the input offset (sendOffsets), as `stream enrich`
// commits. No parsing, no join, no state: whatever salesstream does per record comes on top.
//
//   node bench/lib/kafkajs-floor.mjs BROKERS SOURCE SINK GROUP UNIT [PAD]
// prints `RESULT records=N seconds=S` (from before connecting to after the last commit). PAD bytes
// added to every value make the records written as large as stream enrich's, which are larger
// than the purchases it reads.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './context.mjs';

const require = createRequire(join(ROOT, 'package.json'));
// the project's kafkajs, with its patches: the client salesstream runs on
const { Kafka, logLevel } = require('kafkajs');
const { byteChunks } = await import(join(ROOT, 'dist/transport/kafka.js'));

const [brokers, source, sink, group, unitText, padText = '0'] = process.argv.slice(2);
const unit = Number(unitText);
const pad = ' '.repeat(Number(padText));
const started = process.hrtime.bigint();
const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'kafkajs-floor', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const end = (await admin.fetchTopicOffsets(source)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
await admin.disconnect();

const producer = kafka.producer({ transactionalId: `${group}.floor`, idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100, readUncommitted: false });
await consumer.connect();
await consumer.subscribe({ topic: source, fromBeginning: true });

let copied = 0;
let held = [];
/** The next offset per input partition, as sendOffsets commits it. */
const next = new Map();
let commitDone = Promise.resolve();
let finish;
const finished = new Promise((resolve, reject) => (finish = { resolve, reject }));

async function commit(records, offsets) {
  const transaction = await producer.transaction();
  try {
    for (const chunk of byteChunks(records)) await transaction.send({ topic: sink, acks: -1, messages: chunk });
    await transaction.sendOffsets({ consumerGroupId: group, topics: [{ topic: source, partitions: [...offsets].map(([partition, offset]) => ({ partition, offset: String(offset) })) }] });
    await transaction.commit();
  } catch (err) {
    await transaction.abort().catch(() => undefined);
    throw err;
  }
}

await consumer.run({
  autoCommit: false,
  eachBatch: async ({ batch }) => {
    for (const m of batch.messages) {
      held.push({ key: m.key?.toString() ?? null, value: (m.value?.toString() ?? '') + pad });
      next.set(batch.partition, Number(m.offset) + 1);
    }
    copied += batch.messages.length;
    // one commit under way while the next is read, as stream enrich reads on during a commit
    if (held.length >= unit || copied >= end) {
      const records = held;
      held = [];
      await commitDone;
      commitDone = commit(records, new Map(next)).catch((err) => finish.reject(err));
      if (copied >= end) commitDone.then(() => finish.resolve());
    }
  },
});
await finished;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
await consumer.disconnect();
await producer.disconnect();
console.log(`RESULT records=${copied} seconds=${seconds.toFixed(3)}`);
