// The drain's second thread: checks each value is JSON and writes the envelope lines, while the
// main thread keeps fetching and decoding from the transport. Messages: see encoder.ts.
import { rmSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { ChunkWriter } from './chunks.js';
import { encodeRecord, rejectLine } from './encode.js';
import { partitionFolder } from './layout.js';
import { unpackBatch, type BatchMessage, type FinishedMessage, type ToWorker } from './encoder.js';

const { out, topic } = workerData as { out: string; topic: string };
const writers = new Map<number, ChunkWriter>();
const counts = new Map<number, { added: number; rejected: number }>();
const rejects: string[] = [];

function encode(batch: BatchMessage): void {
  const partition = batch.partition;
  let writer = writers.get(partition);
  if (!writer) writers.set(partition, (writer = new ChunkWriter(partitionFolder(out, topic, partition))));
  const count = counts.get(partition) ?? { added: 0, rejected: 0 };
  for (const record of unpackBatch(topic, batch)) {
    const encoded = encodeRecord(record);
    if (encoded.ok) {
      writer.add(record.offset, encoded.line);
      count.added++;
    } else {
      rejects.push(rejectLine(record, encoded.reason));
      count.rejected++;
    }
  }
  writer.roll();
  counts.set(partition, count);
}

parentPort!.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'batch':
      encode(message);
      parentPort!.postMessage({ type: 'ack' });
      return;
    case 'finish': {
      const reply: FinishedMessage = {
        type: 'finished',
        chunks: [...writers].map(([p, w]) => [p, w.finish()]),
        counts: [...counts],
        rejects,
      };
      parentPort!.postMessage(reply);
      return;
    }
    case 'abort':
      for (const writer of writers.values()) for (const chunk of writer.finish()) rmSync(chunk.path, { force: true });
      parentPort!.postMessage({ type: 'aborted' });
  }
});
