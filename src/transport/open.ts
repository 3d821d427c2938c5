import type { Config } from '../config/config.js';
import { EmbeddedTransport } from './embedded/embedded.js';
import type { Transport } from './transport.js';

/**
 * No brokers configured → the embedded log under the data dir; otherwise real Kafka. The Kafka
 * client is loaded only then, so embedded runs start faster.
 */
export async function openTransport(config: Pick<Config, 'brokers' | 'auth' | 'dataDir'>): Promise<Transport> {
  if (!config.brokers.length) return new EmbeddedTransport(config.dataDir);
  const { KafkaTransport } = await import('./kafka.js');
  return new KafkaTransport(config.brokers, config.auth);
}
