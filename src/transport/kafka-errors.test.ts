import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionError, SalesstreamError, UsageError } from '../errors.js';
import { isRetriable, isTooLarge, kafkaFailure, retrying } from './kafka-errors.js';

const require = createRequire(import.meta.url);
const errors = require('kafkajs/src/errors.js');
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js');

const refused = () => new errors.KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
/** kafkajs's own retrier gives up with this, wrapping the last failure. */
const gaveUp = (cause: Error) => new errors.KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 3000, cause });
const protocol = (code: number) => new errors.KafkaJSProtocolError(createErrorFromCode(code));
/** As kafkajs's retrier passes on a failure it does not retry. */
const notRetried = (cause: Error) => new errors.KafkaJSNonRetriableError(cause, { cause });

describe('kafka failures', () => {
  afterEach(() => {
    delete process.env.SALESSTREAM_BROKER_WAIT;
  });

  it('retries a broker that is away, also behind kafkajs\'s own "retries exceeded"', () => {
    expect(isRetriable(refused())).toBe(true);
    expect(isRetriable(gaveUp(refused()))).toBe(true);
    expect(isRetriable(protocol(5))).toBe(true); // LEADER_NOT_AVAILABLE
    expect(isRetriable(protocol(14))).toBe(true); // COORDINATOR_LOAD_IN_PROGRESS
  });

  it('does not retry an unknown topic, a refusal or our own errors', () => {
    expect(isRetriable(protocol(3))).toBe(false); // UNKNOWN_TOPIC_OR_PARTITION: the answer, not a hiccup
    expect(isRetriable(protocol(10))).toBe(false); // MESSAGE_TOO_LARGE
    expect(isRetriable(new UsageError('x'))).toBe(false);
    expect(isRetriable(new TypeError('x'))).toBe(false);
  });

  it('makes each failure one line of the right kind', () => {
    const away = kafkaFailure(gaveUp(refused()), 'Kafka at h:1');
    expect(away).toBeInstanceOf(ConnectionError);
    expect((away as Error).message).toMatch(/^Kafka at h:1 is unavailable \(gave up after 60 s\): Connection error: connect ECONNREFUSED/);
    expect(kafkaFailure(protocol(29), 'K')).toBeInstanceOf(ConnectionError); // TOPIC_AUTHORIZATION_FAILED
    expect(kafkaFailure(protocol(17), 'K')).toBeInstanceOf(UsageError); // INVALID_TOPIC_EXCEPTION
    const refusal = kafkaFailure(notRetried(protocol(47)), 'K'); // INVALID_PRODUCER_EPOCH
    expect(refusal).toBeInstanceOf(SalesstreamError);
    expect((refusal as SalesstreamError).exitCode).toBe(1);
    expect(isTooLarge(notRetried(protocol(10)))).toBe(true);
    // not a Kafka failure: a bug, passed on as it is
    const bug = new TypeError('x is undefined');
    expect(kafkaFailure(bug, 'K')).toBe(bug);
  });

  it('retrying() rides out a broker that comes back, and gives up after SALESSTREAM_BROKER_WAIT', async () => {
    let calls = 0;
    expect(await retrying('K', async () => (++calls < 3 ? Promise.reject(refused()) : 'ok'))).toBe('ok');
    expect(calls).toBe(3);

    process.env.SALESSTREAM_BROKER_WAIT = '1';
    calls = 0;
    await expect(retrying('K', () => (calls++, Promise.reject(refused())))).rejects.toThrow(ConnectionError);
    expect(calls).toBeGreaterThan(1);
    calls = 0;
    await expect(retrying('K', () => (calls++, Promise.reject(protocol(3))))).rejects.toThrow(/^K refused: This server does not host this topic-partition/);
    expect(calls).toBe(1);
  });
});
