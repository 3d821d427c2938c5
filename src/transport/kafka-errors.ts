// What a kafkajs failure means for the user: retry it (the broker is restarting, a leader is
// moving), or end the command with one line and the exit code of its kind (src/errors.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectionError, SalesstreamError, UsageError } from '../errors.js';

/** How long a command rides out a broker that is away (restart, leader election) before giving up. */
export function outageMs(): number {
  const seconds = Number(process.env.SALESSTREAM_BROKER_WAIT ?? '');
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000;
}

interface KafkaJsError {
  name?: string;
  type?: string;
  message?: string;
  retriable?: boolean;
  cause?: unknown;
}

/** The error and its causes, outermost first (kafkajs wraps retried errors). */
function chain(err: unknown): KafkaJsError[] {
  const errors: KafkaJsError[] = [];
  for (let e = err as KafkaJsError | undefined; e && typeof e === 'object' && errors.length < 10; e = e.cause as KafkaJsError | undefined) {
    errors.push(e);
  }
  return errors;
}

const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError', 'KafkaJSMetadataNotLoaded', 'KafkaJSTopicMetadataNotLoaded', 'KafkaJSGroupCoordinatorNotFound',
]);

export function isUnknownTopic(err: unknown): boolean {
  return chain(err).some((e) => e.type === 'UNKNOWN_TOPIC_OR_PARTITION' || /does not host this topic-partition/i.test(e.message ?? ''));
}

export function isTooLarge(err: unknown): boolean {
  return chain(err).some((e) => e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE');
}

/**
 * The broker is away or busy, not saying no: trying again later can succeed. An unknown topic is
 * not (kafkajs calls it retriable): it is the answer, once a new topic is served (untilServed).
 */
export function isRetriable(err: unknown): boolean {
  if (err instanceof SalesstreamError || isUnknownTopic(err)) return false;
  return chain(err).some((e) => CONNECTION_ERRORS.has(e.name ?? '') || (e.name === 'KafkaJSProtocolError' && e.retriable === true) || /ECONNREFUSED|ECONNRESET|EPIPE|socket hang up/.test(e.message ?? ''));
}

/**
 * The user-facing error for a kafkajs failure: a broker that stays away is a connection problem
 * (exit 3), a refusal by the broker a runtime failure (exit 1). Anything else is returned as it
 * is: a bug.
 */
export function kafkaFailure(err: unknown, where: string): unknown {
  if (err instanceof SalesstreamError) return err;
  const errors = chain(err);
  const innermost = errors.at(-1)?.message ?? String(err);
  if (errors.some((e) => e.name === 'KafkaJSSASLAuthenticationError' || /AUTHORIZATION_FAILED|SASL_AUTHENTICATION_FAILED/.test(e.type ?? ''))) {
    return new ConnectionError(`${where} refuses us: ${innermost}`);
  }
  if (isRetriable(err)) return new ConnectionError(`${where} is unavailable (gave up after ${outageMs() / 1000} s): ${innermost}`);
  if (errors.some((e) => e.type === 'INVALID_TOPIC_EXCEPTION')) return new UsageError(`${where}: ${innermost}`);
  const refusal = errors.find((e) => e.name === 'KafkaJSProtocolError');
  if (refusal) return new SalesstreamError(`${where} refused: ${refusal.message}`);
  return err;
}

/**
 * Runs an idempotent operation, again while the broker is away (up to outageMs()); then, or on
 * any other failure, throws the user-facing error.
 */
export async function retrying<T>(where: string, operation: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + outageMs();
  for (let pause = 250; ; pause = Math.min(pause * 2, 3_000)) {
    try {
      return await operation();
    } catch (err) {
      if (!isRetriable(err) || Date.now() + pause > deadline) throw kafkaFailure(err, where);
      await sleep(pause);
    }
  }
}
