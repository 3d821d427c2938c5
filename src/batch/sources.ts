// Where batch commands find a topic's files: the embedded log read in place, a drained folder,
// or Kafka, drained first (incrementally) into a cache under the data dir.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SalesstreamError, UsageError } from '../errors.js';
import { drainTopic } from './drain/drain.js';
import type { DrainProgress } from './drain/progress.js';
import { EmbeddedTransport } from '../transport/embedded/embedded.js';
import type { Transport } from '../transport/transport.js';
import { drainedTopicFiles, embeddedTopicFiles, type TopicFiles } from './files.js';

export interface BatchSource {
  /** Where the data comes from, for messages. */
  readonly description: string;
  /** The topic's files; undefined when the topic does not exist there. */
  topicFiles(topic: string): Promise<TopicFiles | undefined>;
  /** The one line that says a topic a command needs is not there. */
  missing(topic: string): string;
}

const unknownTopic = (description: string) => (topic: string) => `unknown topic ${topic} in the ${description}`;

export function drainedSource(dir: string): BatchSource {
  return {
    description: `drained folder ${dir}`,
    topicFiles: async (topic) => drainedTopicFiles(dir, topic),
    missing: (topic) => `${topic} was never drained into ${dir} (salesstream drain ${topic} --out ${dir})`,
  };
}

export function embeddedSource(transport: EmbeddedTransport): BatchSource {
  return {
    description: transport.description,
    topicFiles: async (topic) => embeddedTopicFiles(transport.topicDir(topic), topic),
    missing: unknownTopic(transport.description),
  };
}

export interface CacheOptions {
  dataDir: string;
  brokers: string[];
  signal?: AbortSignal;
  onProgress?: (progress: DrainProgress) => void;
  onNotice?: (text: string) => void;
}

/** One cache per cluster, so switching --brokers never mixes two clusters' topics. */
export function kafkaCacheDir(dataDir: string, brokers: string[]): string {
  const id = createHash('sha256').update([...brokers].sort().join(',')).digest('hex').slice(0, 12);
  return join(dataDir, 'cache', `kafka-${id}`);
}

/** Kafka topics are drained into the cache (only what is new since the last time), then read from there. */
export function kafkaSource(transport: Transport, opts: CacheOptions): BatchSource {
  const dir = kafkaCacheDir(opts.dataDir, opts.brokers);
  return {
    description: `${transport.description} (cached in ${dir})`,
    missing: unknownTopic(transport.description),
    topicFiles: async (topic) => {
      try {
        await transport.partitions(topic);
      } catch (err) {
        if (err instanceof UsageError) return undefined;
        throw err;
      }
      const summary = await drainTopic({ transport, out: dir, format: 'ndjson', signal: opts.signal, onProgress: opts.onProgress, onNotice: opts.onNotice }, topic);
      if (summary.interrupted) throw new SalesstreamError(`interrupted while caching ${topic}`, 130);
      return drainedTopicFiles(dir, topic);
    },
  };
}

/** The source a batch command reads: --source DIR, else the configured transport. */
export function batchSource(transport: Transport, opts: CacheOptions & { sourceDir?: string }): BatchSource {
  if (opts.sourceDir !== undefined) return drainedSource(opts.sourceDir);
  if (transport instanceof EmbeddedTransport) return embeddedSource(transport);
  return kafkaSource(transport, opts);
}
