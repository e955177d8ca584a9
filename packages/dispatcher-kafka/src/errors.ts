import { BrokerUnavailable, EventfanError } from '@eventfan/core';
import { describeCause } from '@eventfan/core/adapter';
import type { KafkaPrepared } from './prepare.js';

/** Why Kafka refused a write, as this package names it (the `code` of a KafkaPublishError). */
export type KafkaRefusal =
  | 'KAFKA_UNKNOWN_TOPIC'
  | 'KAFKA_NOT_AUTHORIZED'
  | 'KAFKA_MESSAGE_TOO_LARGE'
  | 'KAFKA_INVALID_TOPIC'
  | 'KAFKA_TRANSACTION_FAILED'
  | 'KAFKA_SEND_FAILED';

const ADVICE: Record<KafkaRefusal, string> = {
  KAFKA_UNKNOWN_TOPIC:
    'create the topic, or let the broker create it (auto.create.topics.enable=true and the producer’s allowAutoTopicCreation)',
  KAFKA_NOT_AUTHORIZED: 'grant the producer’s principal WRITE (and DESCRIBE) on the topic',
  KAFKA_MESSAGE_TOO_LARGE:
    'raise the topic’s max.message.bytes, or lower the publisher’s maxMessageBytes so such events are refused in prepare',
  KAFKA_INVALID_TOPIC:
    'change the topic function: Kafka topic names are [a-zA-Z0-9._-], at most 249 characters',
  KAFKA_TRANSACTION_FAILED:
    'check the producer’s transactionalId and the broker’s transaction settings; nothing of this publish was committed',
  KAFKA_SEND_FAILED: 'see the cause',
};

/**
 * Kafka refused the events of one publish for a reason a retry will not cure (`retriable: false`):
 * the topic is unknown, the principal may not write to it, a message is over the topic's limit…
 * Only `KAFKA_SEND_FAILED`, a failure this package does not recognise, may pass on a retry.
 */
export class KafkaPublishError extends EventfanError {
  declare readonly code: KafkaRefusal;
  /** The first (usually the only) topic of the publish. */
  readonly topic: string;

  constructor(
    code: KafkaRefusal,
    readonly target: string,
    /** Every topic the publish wrote to: Kafka's error does not say which one refused. */
    readonly topics: readonly string[],
    readonly stream: string,
    /** Kafka's own name for the error when it gave one, e.g. `TOPIC_AUTHORIZATION_FAILED`. */
    readonly kafkaError: string | undefined,
    cause: unknown,
  ) {
    super(
      code,
      `Target "${target}" could not write stream "${stream}" to Kafka ${topicList(topics)}: ${describeCause(cause)}${kafkaError ? ` (${kafkaError})` : ''}. To fix: ${ADVICE[code]}.`,
      { cause, retriable: code === 'KAFKA_SEND_FAILED' },
    );
    this.topic = topics[0] ?? '';
  }
}

/** `topic "a"` or `topics "a", "b"`. */
export function topicList(topics: readonly string[]): string {
  const quoted = topics.map((t) => `"${t}"`).join(', ');
  return topics.length === 1 ? `topic ${quoted}` : `topics ${quoted}`;
}

const REFUSALS: Readonly<Record<string, KafkaRefusal>> = {
  UNKNOWN_TOPIC_OR_PARTITION: 'KAFKA_UNKNOWN_TOPIC',
  UNKNOWN_TOPIC_ID: 'KAFKA_UNKNOWN_TOPIC',
  TOPIC_AUTHORIZATION_FAILED: 'KAFKA_NOT_AUTHORIZED',
  CLUSTER_AUTHORIZATION_FAILED: 'KAFKA_NOT_AUTHORIZED',
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'KAFKA_NOT_AUTHORIZED',
  SASL_AUTHENTICATION_FAILED: 'KAFKA_NOT_AUTHORIZED',
  MESSAGE_TOO_LARGE: 'KAFKA_MESSAGE_TOO_LARGE',
  RECORD_LIST_TOO_LARGE: 'KAFKA_MESSAGE_TOO_LARGE',
  INVALID_TOPIC_EXCEPTION: 'KAFKA_INVALID_TOPIC',
  INVALID_TXN_STATE: 'KAFKA_TRANSACTION_FAILED',
  INVALID_PRODUCER_EPOCH: 'KAFKA_TRANSACTION_FAILED',
  PRODUCER_FENCED: 'KAFKA_TRANSACTION_FAILED',
  TRANSACTIONAL_ID_NOT_FOUND: 'KAFKA_TRANSACTION_FAILED',
};

/** kafkajs errors that mean the broker could not be reached or did not answer in time. */
const UNREACHABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSNoBrokerAvailableError',
]);
const TIMED_OUT = new Set(['KafkaJSRequestTimeoutError', 'KafkaJSTimeout', 'KafkaJSLockTimeout']);

/** What a kafkajs error is, found by walking its causes (retries wrap the real error). */
interface Diagnosis {
  /** Kafka's protocol error type, e.g. `UNKNOWN_TOPIC_OR_PARTITION`, if any link carried one. */
  readonly kafkaError?: string;
  readonly timedOut: boolean;
  readonly unreachable: boolean;
  readonly retriable: boolean;
}

function diagnose(error: unknown): Diagnosis {
  let kafkaError: string | undefined;
  let timedOut = false;
  let unreachable = false;
  let retriable = false;
  const seen = new Set<unknown>();
  const todo: unknown[] = [error];
  while (todo.length > 0) {
    const link = todo.pop();
    if (!(link instanceof Error) || seen.has(link)) continue;
    seen.add(link);
    const fields = link as Error & { type?: unknown; retriable?: unknown; errors?: unknown };
    if (typeof fields.type === 'string') kafkaError ??= fields.type;
    if (TIMED_OUT.has(link.name) || fields.type === 'REQUEST_TIMED_OUT') timedOut = true;
    if (UNREACHABLE.has(link.name)) unreachable = true;
    if (fields.retriable === true) retriable = true;
    // Retries wrap the real error as the cause; sends to several brokers gather theirs.
    todo.push(link.cause);
    if (Array.isArray(fields.errors)) todo.push(...(fields.errors as unknown[]).reverse());
  }
  return { kafkaError, timedOut, unreachable, retriable };
}

export interface SendFailure {
  readonly target: string;
  readonly topics: readonly string[];
  readonly stream: string;
  readonly count: number;
}

/**
 * The eventfan error for a failed send of `count` events of `stream` to `topics`: a
 * KafkaPublishError when Kafka refused them for a reason a retry will not fix, else
 * BrokerUnavailable (unreachable, timed out, or a retriable error that outlasted the retries).
 */
export function toPublishError(error: unknown, failure: SendFailure): EventfanError {
  if (error instanceof EventfanError) return error;
  const { target, topics, stream, count } = failure;
  const found = diagnose(error);
  const refusal = found.kafkaError ? REFUSALS[found.kafkaError] : undefined;
  const refused = (code: KafkaRefusal) =>
    new KafkaPublishError(code, target, topics, stream, found.kafkaError, error);
  if (refusal) return refused(refusal);
  if (found.timedOut || found.unreachable || found.retriable) {
    return new BrokerUnavailable(
      target,
      `sending ${count} event(s) of stream "${stream}" to ${topicList(topics)} failed: ${describeCause(error)}${found.kafkaError ? ` (${found.kafkaError})` : ''}`,
      { cause: error, timedOut: found.timedOut },
    );
  }
  return refused('KAFKA_SEND_FAILED');
}

/** toPublishError for a prepared batch. */
export function publishErrorFor(
  error: unknown,
  target: string,
  prepared: KafkaPrepared,
): EventfanError {
  return toPublishError(error, {
    target,
    topics: prepared.topics.map((t) => t.topic),
    stream: prepared.stream,
    count: prepared.records.length,
  });
}

/** A publish that was not acknowledged within `timeoutMs`. */
export function notAcknowledged(
  target: string,
  timeoutMs: number,
  prepared: KafkaPrepared,
): BrokerUnavailable {
  const topics = topicList(prepared.topics.map((t) => t.topic));
  return new BrokerUnavailable(
    target,
    `no acknowledgement within ${timeoutMs} ms for ${prepared.records.length} event(s) of stream "${prepared.stream}" to ${topics}; they may still arrive, and a retry re-sends them with the same ids`,
    { timedOut: true },
  );
}
