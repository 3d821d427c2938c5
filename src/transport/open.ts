import type { Config } from '../config/config.js';
import { EmbeddedTransport } from './embedded/embedded.js';
import { KafkaTransport } from './kafka.js';
import type { Transport } from './transport.js';

/** No brokers configured → the embedded log under the data dir; otherwise real Kafka. */
export function openTransport(config: Pick<Config, 'brokers' | 'auth' | 'dataDir'>): Transport {
  return config.brokers.length ? new KafkaTransport(config.brokers, config.auth) : new EmbeddedTransport(config.dataDir);
}
