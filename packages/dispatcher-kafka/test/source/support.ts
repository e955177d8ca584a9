import { randomUUID } from 'node:crypto';
import { envelopeToKafkaRecord } from '@eventfan/cloudevents';
import type { Envelope } from '@eventfan/core';
import type { Admin, Kafka, Message, Producer } from 'kafkajs';
import { createTopics } from '../kafka.js';

/** Partitions of every topic the source tests read: several streams share each. */
export const PARTITIONS = 3;

/** A fresh topic (3 partitions), its dead-letter topic and a group, so no test sees another's. */
export async function freshTopic(kafka: Kafka, label: string) {
  const id = randomUUID().slice(0, 8);
  const topic = `source-${label}-${id}`;
  const deadLetters = `${topic}.deadletter`;
  await createTopics(kafka, [
    { topic, numPartitions: PARTITIONS },
    { topic: deadLetters, numPartitions: 1 },
  ]);
  return { topic, deadLetters, groupId: `source-${label}-${id}` };
}

/**
 * Publishes envelopes as a plain kafkajs producer would, CloudEvents Kafka binding (key = stream),
 * so the tests depend on no eventfan publisher. Each stream's events go in order, one send each.
 */
export async function publish(
  producer: Producer,
  topic: string,
  envelopes: readonly Envelope[],
  mode: 'binary' | 'structured' = 'binary',
): Promise<void> {
  await producer.send({
    topic,
    acks: -1,
    messages: envelopes.map((e): Message => envelopeToKafkaRecord(e, { mode })),
  });
}

/** Offsets the group committed, summed over the topic's partitions (a partition never committed: 0). */
export async function committed(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

export async function until(check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const range = (count: number) => Array.from({ length: count }, (_, i) => i + 1);
