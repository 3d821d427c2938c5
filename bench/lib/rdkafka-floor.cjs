// The floor of bench/lib/kafkajs-floor.mjs with a native client: node-rdkafka, Node's binding of
// librdkafka (bench/rdkafka-client, built against the system's librdkafka). The same work: read
// a topic read-committed in a consumer group, copy every record unchanged (plus PAD bytes) to a
// sink in transactions of UNIT records that carry the input offsets (sendOffsetsToTransaction).
// librdkafka fetches and sends on its own threads, so reading goes on while a commit is under way.
//
//   node bench/lib/rdkafka-floor.cjs BROKERS SOURCE SINK GROUP UNIT [PAD]
// prints `RESULT records=N seconds=S` (from before connecting to after the last commit).
const { join } = require('node:path');
const Kafka = require(join(__dirname, '..', 'rdkafka-client', 'node_modules', 'node-rdkafka'));

const [brokers, source, sink, group, unitText, padText = '0'] = process.argv.slice(2);
const unit = Number(unitText);
const pad = Buffer.alloc(Number(padText), ' ');
const TIMEOUT_MS = 60_000;
/** A node-rdkafka callback call as a promise. */
const call = (fn) => new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

async function main() {
  const started = process.hrtime.bigint();
  const producer = new Kafka.Producer({ 'metadata.broker.list': brokers, 'transactional.id': `${group}.floor`, 'linger.ms': 5 });
  await call((cb) => producer.connect({}, cb));
  await call((cb) => producer.initTransactions(TIMEOUT_MS, cb));
  const consumer = new Kafka.KafkaConsumer({ 'metadata.broker.list': brokers, 'group.id': group, 'enable.auto.commit': false, 'isolation.level': 'read_committed', 'fetch.wait.max.ms': 100 }, { 'auto.offset.reset': 'earliest' });
  await call((cb) => consumer.connect({}, cb));
  const metadata = await call((cb) => consumer.getMetadata({ topic: source, timeout: TIMEOUT_MS }, cb));
  const partitions = metadata.topics.find((t) => t.name === source).partitions.map((p) => p.id);
  let end = 0;
  for (const p of partitions) {
    const w = await call((cb) => consumer.queryWatermarkOffsets(source, p, TIMEOUT_MS, cb));
    end += w.highOffset - w.lowOffset;
  }
  consumer.subscribe([source]);
  /** The next offset per input partition, as the transaction commits it. */
  const next = new Map();
  let copied = 0;
  let held = 0;
  await call((cb) => producer.beginTransaction(cb));
  while (copied < end) {
    for (const m of await call((cb) => consumer.consume(10_000, cb))) {
      producer.produce(sink, null, pad.length ? Buffer.concat([m.value, pad]) : m.value, m.key);
      next.set(m.partition, m.offset + 1);
      copied++;
      held++;
    }
    if (held >= unit || copied >= end) {
      held = 0;
      await call((cb) => producer.sendOffsetsToTransaction([...next].map(([partition, offset]) => ({ topic: source, partition, offset })), consumer, TIMEOUT_MS, cb));
      await call((cb) => producer.commitTransaction(TIMEOUT_MS, cb));
      if (copied < end) await call((cb) => producer.beginTransaction(cb));
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await call((cb) => consumer.disconnect(cb));
  await call((cb) => producer.disconnect(cb));
  console.log(`RESULT records=${copied} seconds=${seconds.toFixed(3)}`);
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
