import { UsageError } from '../errors.js';
import { EmbeddedTransport } from '../transport/embedded/embedded.js';
import { EmbeddedExactlyOnce } from '../transport/embedded/exactly-once.js';
import type { ExactlyOnceLoop } from '../transport/exactly-once.js';
import type { Transport } from '../transport/transport.js';

export interface ExactlyOnceLoopOptions {
  transport: Transport;
  source: string;
  group: string;
  from: 'beginning' | 'end';
  /** Output topics commits write to (they must exist). */
  outputs: string[];
  /** What the state is, naming the Kafka changelog topic: `<group>.<source>.<kind>-changelog`. */
  kind: string;
  /** Kafka consumer-group session timeout, ms. */
  sessionTimeout: number;
  /** One instance owns every partition, the others of the group wait (a state spanning partitions: stream window). */
  exclusive?: boolean;
  onWarning: (text: string) => void;
  /** The command, for the error on a transport without exactly-once. */
  command: string;
}

/** The changelog topic of a group's state of a kind: one partition per input partition. */
export function changelogTopic(group: string, source: string, kind: string): string {
  return `${group}.${source}.${kind}-changelog`.replace(/[^a-zA-Z0-9._-]/g, '_');
}

/** The exactly-once loop of the transport in use: the embedded log's checkpoint or Kafka transactions. */
export async function exactlyOnceLoop(opts: ExactlyOnceLoopOptions): Promise<ExactlyOnceLoop> {
  const { transport, source, group, from, outputs } = opts;
  if (transport instanceof EmbeddedTransport) return new EmbeddedExactlyOnce({ transport, source, group, from, outputs });
  // the Kafka client is loaded only for Kafka runs
  const { KafkaTransport } = await import('../transport/kafka.js');
  const { KafkaExactlyOnce } = await import('../transport/kafka-transactional.js');
  if (transport instanceof KafkaTransport) {
    return new KafkaExactlyOnce({
      transport, source, group, from, outputs, changelog: changelogTopic(group, source, opts.kind), sessionTimeout: opts.sessionTimeout,
      exclusive: opts.exclusive, onWarning: opts.onWarning,
    });
  }
  throw new UsageError(`${opts.command} cannot run exactly-once on ${transport.description}`);
}
