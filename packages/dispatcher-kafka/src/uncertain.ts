import type { EventfanError } from '@eventfan/core';
import { KafkaPublishError, type KafkaRefusal } from './errors.js';

/** Refusals that come before Kafka appends anything, so the producer's sequence numbers stay right. */
const NOTHING_WRITTEN: ReadonlySet<KafkaRefusal> = new Set([
  'KAFKA_UNKNOWN_TOPIC',
  'KAFKA_NOT_AUTHORIZED',
  'KAFKA_MESSAGE_TOO_LARGE',
  'KAFKA_INVALID_TOPIC',
]);

/**
 * Whether the broker may have kept the batch of a send that failed with `error`: a timeout, a lost
 * connection, a retriable error (NOT_LEADER…), a fenced or failed transaction, anything unknown.
 * After such a send the producer is replaced before the next one (see producer-slot.ts).
 */
export function outcomeUncertain(error: EventfanError): boolean {
  return !(error instanceof KafkaPublishError && NOTHING_WRITTEN.has(error.code));
}
