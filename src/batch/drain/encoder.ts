// Hands drained batches to the encoder worker (encoder-worker.ts) with backpressure, and collects
// what it wrote. JSON.parse on every value is the drain's largest cost; on its own thread it runs
// beside the fetching and decoding instead of after it.
import { Worker } from 'node:worker_threads';
import type { LogRecord } from '../../transport/transport.js';
import type { WrittenChunk } from './chunks.js';

/**
 * One batch in few objects: the values joined into one string and the keys into another, cut back
 * apart by their lengths (-1 for a null key). Copying one long string to the worker costs far
 * less than cloning a thousand short ones.
 */
export interface BatchMessage {
  type: 'batch';
  partition: number;
  offsets: Float64Array<ArrayBuffer>;
  timestamps: Float64Array<ArrayBuffer>;
  values: string;
  valueLengths: Int32Array<ArrayBuffer>;
  keys: string;
  keyLengths: Int32Array<ArrayBuffer>;
}

export type ToWorker = BatchMessage | { type: 'finish' } | { type: 'abort' };

export interface FinishedMessage {
  type: 'finished';
  chunks: [partition: number, chunks: WrittenChunk[]][];
  counts: [partition: number, count: { added: number; rejected: number }][];
  rejects: string[];
}

type FromWorker = { type: 'ack' } | { type: 'aborted' } | FinishedMessage;

/** Batches posted but not yet written: enough to keep the worker busy, few enough to bound memory. */
const IN_FLIGHT = 8;

export class Encoder {
  private readonly worker: Worker;
  private inFlight = 0;
  private failure?: Error;
  private wake?: () => void;
  private reply?: { resolve: (m: FromWorker) => void; reject: (e: Error) => void };

  constructor(out: string, topic: string) {
    this.worker = new Worker(new URL('./encoder-worker.js', import.meta.url), { workerData: { out, topic } });
    this.worker.on('message', (message: FromWorker) => {
      if (message.type === 'ack') {
        this.inFlight--;
        this.wake?.();
      } else {
        this.reply?.resolve(message);
      }
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`the drain's encoder thread stopped (exit ${code})`)));
  }

  /** Resolves once the worker has room for more. */
  async write(batch: LogRecord[]): Promise<void> {
    while (this.inFlight >= IN_FLIGHT && !this.failure) await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.failure) throw this.failure;
    const message = packBatch(batch);
    this.inFlight++;
    this.worker.postMessage(message, [message.offsets.buffer, message.timestamps.buffer, message.valueLengths.buffer, message.keyLengths.buffer]);
  }

  /** Waits for everything posted, then closes the files; returns them with the counts and rejects. */
  async finish(): Promise<FinishedMessage> {
    return (await this.ask({ type: 'finish' })) as FinishedMessage;
  }

  /** Deletes what was written (nothing of it was committed). */
  async abort(): Promise<void> {
    if (!this.failure) await this.ask({ type: 'abort' }).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private ask(message: ToWorker): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.reply = { resolve, reject };
      this.worker.postMessage(message);
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake?.();
    this.reply?.reject(this.failure);
  }
}

export function packBatch(batch: LogRecord[]): BatchMessage {
  const n = batch.length;
  const offsets = new Float64Array(n);
  const timestamps = new Float64Array(n);
  const valueLengths = new Int32Array(n);
  const keyLengths = new Int32Array(n);
  let values = '';
  let keys = '';
  for (let i = 0; i < n; i++) {
    const r = batch[i];
    offsets[i] = r.offset;
    timestamps[i] = r.timestamp;
    values += r.value;
    valueLengths[i] = r.value.length;
    keyLengths[i] = r.key === null ? -1 : r.key.length;
    if (r.key !== null) keys += r.key;
  }
  return { type: 'batch', partition: batch[0].partition, offsets, timestamps, values, valueLengths, keys, keyLengths };
}

/** The records of a packed batch, back as the transport gave them. */
export function* unpackBatch(topic: string, m: BatchMessage): Generator<LogRecord> {
  let v = 0;
  let k = 0;
  for (let i = 0; i < m.offsets.length; i++) {
    const value = m.values.slice(v, (v += m.valueLengths[i]));
    const keyLength = m.keyLengths[i];
    const key = keyLength < 0 ? null : m.keys.slice(k, (k += keyLength));
    yield { topic, partition: m.partition, offset: m.offsets[i], timestamp: m.timestamps[i], key, value };
  }
}
