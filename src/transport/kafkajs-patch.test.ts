// patches/kafkajs+2.2.4.patch (applied by patch-package on npm install) rewrites hot spots of
// kafkajs's producer for speed, one timer Node 24 warns about, and how a consumer meets a
// coordinator still loading after a broker restart; these check it still does
// what kafkajs did.
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { seededFractions } from '../generator/random.js';

const require = createRequire(import.meta.url);
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition.js');
const Encoder = require('kafkajs/src/protocol/encoder.js');
const Long = require('kafkajs/src/utils/long.js');
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const RecordDecoder = require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js');
const Decoder = require('kafkajs/src/protocol/decoder.js');
const Batch = require('kafkajs/src/consumer/batch.js');
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js');
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');
const encodeUncompressed = require('kafkajs/src/protocol/recordBatch/v0/uncompressed.js');
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js');
const Cluster = require('kafkajs/src/cluster/index.js');
const { KafkaJSProtocolError, KafkaJSGroupCoordinatorNotFound } = require('kafkajs/src/errors.js');
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js');

const random = seededFractions;

/** CRC-32C bit by bit, from its definition (reflected polynomial 0x82F63B78). */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

interface TestMessage {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer | (string | Buffer)[]>;
  timestamp?: string;
}

function randomMessages(next: () => number, count: number): TestMessage[] {
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)];
  const text = () => Array.from({ length: Math.floor(next() * 300) }, () => pick(['a', 'Z', '0', '{', '"', 'é', '€', '😀', '\u0000', ' '])).join('');
  const bytes = (s: string) => (next() < 0.2 ? Buffer.from(s) : s);
  return Array.from({ length: count }, () => {
    const m: TestMessage = { value: pick([null, '', text(), text(), bytes(text())]) };
    const key = pick([undefined, null, '', 'SF07', text(), bytes('clé')]);
    if (key !== undefined) m.key = key;
    if (next() < 0.2) m.headers = { a: bytes(text()), 'b€': [text(), bytes(text())], ...(next() < 0.5 ? { c: '' } : {}) };
    if (next() < 0.2) m.timestamp = String(1_700_000_000_000 + Math.floor(next() * 2 ** 32) - 2 ** 31);
    return m;
  });
}

describe('kafkajs, as patched', () => {
  it('is the patched copy (npm install ran patch-package)', () => {
    expect(groupMessagesPerPartition.toString()).toContain('salesstream patch');
  });

  it('groups messages per partition in their order', () => {
    const messages = Array.from({ length: 10 }, (_, i) => ({ key: String(i), value: `v${i}`, partition: i % 3 }));
    const grouped = groupMessagesPerPartition({
      topic: 't', partitionMetadata: [{ partitionId: 0 }, { partitionId: 1 }, { partitionId: 2 }], messages,
      partitioner: ({ message }: { message: { partition: number } }) => message.partition,
    });
    expect(Object.keys(grouped)).toEqual(['0', '1', '2']);
    expect(grouped[1].map((m: { value: string }) => m.value)).toEqual(['v1', 'v4', 'v7']);
    expect(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages, partitioner: () => 0 })).toEqual({});
  });

  it('encodes varints and varlongs as Kafka\'s protocol spells them (zigzag LEB128)', () => {
    const bytes = (e: { buffer: Buffer }) => [...e.buffer];
    expect(bytes(new Encoder().writeVarInt(0))).toEqual([0x00]);
    expect(bytes(new Encoder().writeVarInt(-1))).toEqual([0x01]);
    expect(bytes(new Encoder().writeVarInt(1))).toEqual([0x02]);
    expect(bytes(new Encoder().writeVarInt(150))).toEqual([0xac, 0x02]);
    expect(bytes(new Encoder().writeVarInt(-2147483648))).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(bytes(new Encoder().writeUVarInt(300))).toEqual([0xac, 0x02]);
    expect(bytes(new Encoder().writeVarLong(Long.fromNumber(-65)))).toEqual([0x81, 0x01]);
    expect(bytes(new Encoder().writeVarLong(Long.fromValue(2n ** 40n)))).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x40]);
    // many writes into one encoder grow its buffer without losing bytes
    const e = new Encoder(1);
    for (let i = 0; i < 1000; i++) e.writeVarInt(i).writeVarIntBytes(`value ${i}`);
    expect(e.size()).toBe(e.buffer.length);
    expect(e.buffer.subarray(-9).toString()).toBe('value 999');
  });

  it('writes an uncompressed record batch with the bytes kafkajs\'s RecordBatch of Records gives', async () => {
    const next = random(9);
    for (let round = 0; round < 60; round++) {
      const messages = randomMessages(next, round === 0 ? 0 : Math.floor(next() * 40) + 1);
      const dateNow = 1_700_000_000_000 + round;
      // as the produce request computes them (its partitionsEncoder)
      const stamps = messages.map((m) => m.timestamp).filter((t) => t != null).sort();
      const firstTimestamp = stamps.length ? stamps[0] : dateNow;
      const maxTimestamp = stamps.length ? stamps[stamps.length - 1] : dateNow;
      const args = {
        partition: Math.floor(next() * 100), firstTimestamp, maxTimestamp, transactional: next() < 0.5,
        producerId: Long.fromNumber(Math.floor(next() * 1e12)), producerEpoch: Math.floor(next() * 300), firstSequence: Math.floor(next() * 1e6),
      };
      const records = messages.map((m, i) => Record({ ...m, offsetDelta: i, timestampDelta: (m.timestamp || dateNow) - (firstTimestamp as number) }));
      const batch = await RecordBatch({ ...args, compression: 0, records, lastOffsetDelta: records.length - 1 });
      const expected = new Encoder().writeInt32(args.partition).writeInt32(batch.size()).writeEncoder(batch).buffer;
      expect(encodeUncompressed({ ...args, messages, dateNow }).buffer.equals(expected)).toBe(true);
    }
  });

  it('computes CRC-32C as its definition does, at any length and alignment', () => {
    const next = random(4);
    expect(crc32C(Buffer.from('123456789'))).toBe(crc32cBitwise(Buffer.from('123456789')));
    for (let round = 0; round < 200; round++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(next() * 200) + 8 }, () => Math.floor(next() * 256)));
      const part = bytes.subarray(Math.floor(next() * 8));
      expect(crc32C(part)).toBe(crc32cBitwise(part));
    }
  });

  it('decodes a record\'s offset and timestamp as base + delta, exactly beyond 2^53 too', () => {
    // as in a record batch: the record's length, then its body
    const body = new Decoder(Record({ offsetDelta: 5, timestampDelta: 7, key: 'SF07', value: '{"a":1}' }).buffer).readVarIntBytes();
    const decode = (firstOffset: string, firstTimestamp: string) => RecordDecoder(new Decoder(body), { firstOffset, firstTimestamp });
    const small = decode('41', '1700000000000');
    expect([small.offset, small.timestamp, small.key.toString(), small.value.toString()]).toEqual(['46', '1700000000007', 'SF07', '{"a":1}']);
    const huge = decode('9007199254740990', '9007199254740999');
    expect([huge.offset, huge.timestamp]).toEqual(['9007199254740995', '9007199254741006']);
  });

  it('reads a record\'s timestamp delta of any size and sign, as Long arithmetic does', () => {
    const next = random(17);
    const deltas = [0, 1, -1, 63, -64, 64, -65, 2 ** 31, -(2 ** 31) - 1, 2 ** 48 - 1, -(2 ** 48), 2 ** 48, -(2 ** 48) - 1, 2 ** 53 - 1, -(2 ** 53)];
    for (let i = 0; i < 500; i++) deltas.push(Math.round((next() - 0.5) * 2 ** (1 + Math.floor(next() * 53))));
    for (const timestampDelta of deltas) {
      const body = new Decoder(Record({ offsetDelta: 1, timestampDelta, key: null, value: 'v' }).buffer).readVarIntBytes();
      const decoded = RecordDecoder(new Decoder(body), { firstOffset: '0', firstTimestamp: '1700000000000' });
      expect([decoded.timestamp, decoded.offset, decoded.value.toString()]).toEqual([Long.fromValue('1700000000000').add(timestampDelta).toString(), '1', 'v']);
    }
    // −2^62 is 2^63 − 1 in zigzag form, nine bytes: read by kafkajs's own Long path
    const body = new Decoder(Record({ offsetDelta: 0, timestampDelta: Long.fromString('-4611686018427387904'), key: null, value: 'v' }).buffer).readVarIntBytes();
    expect(RecordDecoder(new Decoder(body), { firstOffset: '0', firstTimestamp: '1700000000000' }).timestamp).toBe(Long.fromValue('1700000000000').add(Long.fromString('-4611686018427387904')).toString());
  });

  it('drops the messages of a fetch below the offset asked for', () => {
    const messages = ['3', '4', '5', '6', '7'].map((offset) => ({ offset, isControlRecord: false }));
    const batch = new Batch('t', '5', { partition: 0, highWatermark: '8', messages });
    expect(batch.messages.map((m: { offset: string }) => m.offset)).toEqual(['5', '6', '7']);
  });

  it('never sets a timer with a negative delay (Node 24: TimeoutNegativeWarning on every Kafka command)', () => {
    const queue = new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 1000, enforceRequestTimeout: true, clientId: 't', broker: 'b', logger: { debug() {}, warn() {}, error() {}, info() {} } });
    const timer = vi.spyOn(globalThis, 'setTimeout');
    try {
      queue.scheduleCheckPendingRequests(); // not throttled, nothing pending
      expect(timer).toHaveBeenCalledTimes(1);
      expect(timer.mock.calls[0][1]).toBeGreaterThanOrEqual(0);
    } finally {
      clearTimeout(queue.throttleCheckTimeoutId);
      timer.mockRestore();
    }
  });

  it('waits for a group coordinator that is still loading (a broker just restarted) instead of giving up', async () => {
    const quiet = { namespace: () => quiet, debug() {}, info() {}, warn() {}, error() {}, setLogLevel() {} };
    const cluster = new Cluster({ brokers: ['127.0.0.1:1'], clientId: 't', logger: quiet, retry: { initialRetryTime: 1, maxRetryTime: 5, retries: 5 } });
    let asked = 0;
    const broker = {
      async findGroupCoordinator() {
        if (++asked <= 2) throw new KafkaJSProtocolError(createErrorFromCode(14)); // GROUP_LOAD_IN_PROGRESS
        return { host: 'h', port: 1, coordinator: { nodeId: 1, host: 'h', port: 1 } };
      },
    };
    // kafkajs's own withBroker: a callback that throws means "try the next broker", none left is null
    cluster.brokerPool = { withBroker: async (callback: (b: object) => Promise<unknown>) => callback({ nodeId: 1, broker }).catch(() => null) };
    const found = await cluster.findGroupCoordinatorMetadata({ groupId: 'g', coordinatorType: 0 });
    expect(found.coordinator.nodeId).toBe(1);
    expect(asked).toBe(3);
    // and when it stays away, the consumer that asked restarts (bounded by restartOnFailure), not crashes for good
    expect(new KafkaJSGroupCoordinatorNotFound('Failed to find group coordinator').retriable).toBe(true);
  });
});
