import { BrokerUnavailable, InvalidEvent } from '@eventfan/core';
import {
  KafkaJSAggregateError,
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaPublishError, toPublishError } from './errors.js';

const failure = { target: 'kafka', topics: ['combat'], stream: 'hero-1', count: 2 };

/** What kafkajs throws once its retries are used up. */
const retried = (cause: Error) =>
  new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 3_000 });

/** A broker's protocol error as kafkajs builds it from an error code. */
function protocolError(type: string, retriable: boolean): KafkaJSProtocolError {
  return new KafkaJSProtocolError({
    message: `broker says ${type}`,
    type,
    retriable,
  } as unknown as Error);
}

describe('toPublishError', () => {
  it.each([
    ['UNKNOWN_TOPIC_OR_PARTITION', 'KAFKA_UNKNOWN_TOPIC', true],
    ['TOPIC_AUTHORIZATION_FAILED', 'KAFKA_NOT_AUTHORIZED', false],
    ['MESSAGE_TOO_LARGE', 'KAFKA_MESSAGE_TOO_LARGE', false],
    ['INVALID_TOPIC_EXCEPTION', 'KAFKA_INVALID_TOPIC', false],
    ['PRODUCER_FENCED', 'KAFKA_TRANSACTION_FAILED', false],
  ])(
    'given Kafka error %s behind the retries, when mapped, then a KafkaPublishError %s names topic and stream, not retriable',
    (type, code, retriable) => {
      const error = toPublishError(retried(protocolError(type, retriable)), failure);
      expect(error).toBeInstanceOf(KafkaPublishError);
      expect(error).toMatchObject({
        code,
        retriable: false,
        topic: 'combat',
        topics: ['combat'],
        stream: 'hero-1',
        target: 'kafka',
        kafkaError: type,
      });
      expect(error.message).toContain('Kafka topic "combat"');
      expect(error.message).toContain('To fix:');
    },
  );

  it('given a connection refused behind the retries, when mapped, then BrokerUnavailable names target, topic and count', () => {
    const cause = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1');
    const error = toPublishError(retried(cause), failure);
    expect(error).toBeInstanceOf(BrokerUnavailable);
    expect(error).toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    expect(error.message).toMatch(
      /^Target "kafka" is unavailable: sending 2 event\(s\) of stream "hero-1" to topic "combat" failed/,
    );
  });

  it('given a request timeout, when mapped, then BrokerUnavailable says it timed out', () => {
    const error = toPublishError(
      new KafkaJSRequestTimeoutError('Request Produce(key: 0) timed out'),
      failure,
    );
    expect(error).toMatchObject({ code: 'BROKER_TIMEOUT' });
  });

  it('given several brokers failed, one of them with an authorization error, when mapped, then the refusal wins', () => {
    const aggregate = new KafkaJSAggregateError('2 errors', [
      new KafkaJSConnectionError('gone'),
      protocolError('TOPIC_AUTHORIZATION_FAILED', false),
    ]);
    expect(toPublishError(aggregate, failure)).toMatchObject({ code: 'KAFKA_NOT_AUTHORIZED' });
  });

  it('given an error that is already eventfan’s, when mapped, then it is kept as is', () => {
    const invalid = new InvalidEvent('bad', { stream: 'hero-1' });
    expect(toPublishError(invalid, failure)).toBe(invalid);
  });

  it('given an unknown non-retriable error, when mapped, then KAFKA_SEND_FAILED carries it as the cause', () => {
    const cause = new Error('something odd');
    const error = toPublishError(cause, failure);
    expect(error).toMatchObject({ code: 'KAFKA_SEND_FAILED', cause, retriable: true });
  });

  it('given a publish over two topics, when refused, then the message names both (Kafka does not say which)', () => {
    const error = toPublishError(retried(protocolError('TOPIC_AUTHORIZATION_FAILED', false)), {
      ...failure,
      topics: ['combat', 'audit'],
    });
    expect(error.message).toContain('Kafka topics "combat", "audit"');
    expect(error).toMatchObject({ topic: 'combat', topics: ['combat', 'audit'] });
  });
});
