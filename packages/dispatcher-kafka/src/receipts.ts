import type { EventReceipt } from '@eventfan/core';
import type { RecordMetadata } from 'kafkajs';
import type { TopicBatch } from './messages.js';

/** Where an event landed in Kafka; the offset is a decimal string, as Kafka's are 64-bit. */
export interface KafkaPosition {
  readonly [key: string]: string | number;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * One receipt entry per event of a topic's batch. All of a dispatch's events share one key (the
 * stream), so the broker reports one partition and the events sit at consecutive offsets from its
 * base offset. A partitioner that ignores the key could split them; then the offsets are unknown
 * and given as -1.
 */
export function receiptEvents(
  batch: TopicBatch,
  results: readonly RecordMetadata[],
): EventReceipt<KafkaPosition>[] {
  const only = results.length === 1 ? results[0] : undefined;
  const partition = only?.partition ?? -1;
  const offsetAt = offsets(only?.baseOffset, batch.envelopes.length);
  return batch.envelopes.map((envelope, i) => ({
    id: envelope.id,
    generation: envelope.generation,
    duplicate: false,
    position: { topic: batch.topic, partition, offset: offsetAt(i) },
  }));
}

/** The i-th offset from `base` as a string: in plain numbers while they stay exact, else BigInt. */
function offsets(base: string | undefined, count: number): (i: number) => string {
  if (base === undefined) return () => '-1';
  const first = Number(base);
  if (Number.isSafeInteger(first + count)) return (i) => String(first + i);
  const big = BigInt(base);
  return (i) => String(big + BigInt(i));
}
