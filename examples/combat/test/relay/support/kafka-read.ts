import { randomUUID } from 'node:crypto';
import type { TalliedEvent } from '@eventfan/testing';
import { Kafka, logLevel } from 'kafkajs';

const header = (value: Buffer | string | (Buffer | string)[] | undefined): string =>
  String(Array.isArray(value) ? value[0] : (value ?? ''));

/**
 * Every record of the topic, read by a plain kafkajs consumer of its own group from the earliest
 * offset up to the end offsets: the independent reader that counts what the relay delivered.
 * Records come per partition in offset order, so a stream's (one key, one partition) stay in order.
 */
export async function readKafkaTopic(brokers: string, topic: string): Promise<TalliedEvent[]> {
  const kafka = new Kafka({
    clientId: 'fault-reader',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const wanted = new Map(ends.map((e) => [e.partition, BigInt(e.high)]));
  const reached = new Map<number, bigint>();
  const done = () =>
    [...wanted].every(
      ([partition, high]) => high === 0n || (reached.get(partition) ?? -1n) + 1n >= high,
    );
  const events: TalliedEvent[] = [];
  const consumer = kafka.consumer({
    groupId: `fault-reader-${randomUUID()}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let finished: () => void = () => {};
    const all = new Promise<void>((resolve) => (finished = resolve));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        events.push({
          id: header(message.headers?.['ce_id']),
          stream: header(message.headers?.['ce_subject']),
          generation: Number(header(message.headers?.['ce_sequence'])),
        });
        reached.set(partition, BigInt(message.offset));
        if (done()) finished();
      },
    });
    if (!done()) {
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(
          () =>
            reject(
              new Error(
                `read ${events.length} records of ${topic} in 60 s without reaching its end`,
              ),
            ),
          60_000,
        ).unref(),
      );
      await Promise.race([all, timeout]);
    }
    return events;
  } finally {
    await consumer.disconnect();
  }
}
