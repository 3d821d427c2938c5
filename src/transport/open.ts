import type { Config } from '../config/config.js';
import { checkFolder, type FolderAccess } from '../config/folders.js';
import { EmbeddedTransport } from './embedded/embedded.js';
import type { Transport } from './transport.js';

/**
 * No brokers configured → the embedded log under the data dir, checked first for what the
 * command will do there (a file, a folder that cannot be read or written, a missing mount: one
 * line, exit 2); otherwise real Kafka. The Kafka client is loaded only then, so embedded runs
 * start faster.
 */
export async function openTransport(config: Pick<Config, 'brokers' | 'auth' | 'dataDir'>, access: FolderAccess = 'write'): Promise<Transport> {
  if (!config.brokers.length) {
    checkFolder(config.dataDir, 'data dir', access);
    return new EmbeddedTransport(config.dataDir);
  }
  const { KafkaTransport } = await import('./kafka.js');
  return new KafkaTransport(config.brokers, config.auth);
}
