import type { RecordMetadata } from 'kafkajs';
import type { KafkaPrepared } from './prepare.js';

/** Where an event landed in Kafka; the offset is a decimal string, as Kafka's are 64-bit. */
export interface KafkaPosition {
  readonly [key: string]: string | number;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** The records of one topic in a request, in the order sent. */
export interface SentTopic<M> {
  readonly topic: string;
  readonly messages: readonly M[];
}

/**
 * Each record's position, topic by topic, from the base offset Kafka gave each partition of the
 * request: a partition's records sit at consecutive offsets in the order sent. The partition of a
 * record is `partitionOf`'s answer, else the topic's only partition in the request; when neither
 * is known (your own producer, a request over several partitions) it is -1 and the offset '-1'.
 */
export function positionsOf<M>(
  sent: readonly SentTopic<M>[],
  results: readonly RecordMetadata[],
  partitionOf: (message: M) => number | undefined,
): KafkaPosition[][] {
  return sent.map(({ topic, messages }) => {
    const bases = new Map<number, string>();
    for (const r of results) if (r.topicName === topic) bases.set(r.partition, r.baseOffset ?? '');
    const only = bases.size === 1 ? (bases.keys().next().value as number) : undefined;
    const next = new Map<number, number>();
    return messages.map((message) => {
      const partition = partitionOf(message) ?? only;
      const base = partition === undefined ? undefined : bases.get(partition);
      if (partition === undefined || !base) return { topic, partition: -1, offset: '-1' };
      const index = next.get(partition) ?? 0;
      next.set(partition, index + 1);
      return { topic, partition, offset: offsetAt(base, index) };
    });
  });
}

/** `base + i` as a string: in plain numbers while they stay exact, else BigInt. */
function offsetAt(base: string, i: number): string {
  const first = Number(base);
  return Number.isSafeInteger(first + i) ? String(first + i) : String(BigInt(base) + BigInt(i));
}

/** Positions given topic by topic (in `prepared.topics` order), put back in record order. */
export function inRecordOrder(
  prepared: KafkaPrepared,
  byTopic: readonly (readonly KafkaPosition[])[],
): KafkaPosition[] {
  const index = new Map(prepared.topics.map((t, i) => [t.topic, { i, next: 0 }]));
  return prepared.records.map(({ topic }) => {
    const at = index.get(topic) as { i: number; next: number };
    return byTopic[at.i]?.[at.next++] as KafkaPosition;
  });
}
