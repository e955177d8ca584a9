import { randomUUID } from 'node:crypto';
import { fromKafkaRecord } from '@eventfan/cloudevents';
import type { KafkaLink } from '../connect/kafka.js';
import { CliError, messageOf } from '../errors.js';
import { AsyncQueue } from '../queue.js';
import { decoded, type Tailed, type TailOptions } from './source.js';

/**
 * The CloudEvents of a Kafka topic, every partition. The ends are the high-water marks when the
 * tail starts: without `--follow` it stops once each partition reached its mark, and `--from end`
 * starts there. The consumer group is a fresh one that commits nothing, so it leaves no offsets.
 */
export async function* tailKafka(
  link: KafkaLink,
  topic: string,
  options: TailOptions,
): AsyncIterable<Tailed> {
  const { follow, from, signal } = options;
  const ends = await endOffsets(link, topic);
  // Partitions still to read up to their end, for a tail that stops there.
  const open = new Set([...ends].filter(([, end]) => end.high > end.low).map(([p]) => p));
  if (!follow && (from === 'end' || open.size === 0)) return;

  const queue = new AsyncQueue<Tailed>();
  const consumer = link.kafka.consumer({
    groupId: `eventfan-cli-${randomUUID()}`,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    // A disconnect waits for the fetch in flight: short fetches let Ctrl-C end the tail quickly.
    maxWaitTimeInMs: 1_000,
    // The client's quick retries are for reaching the brokers; a group coordinator still loading
    // (a broker just started) answers "retry later" for seconds.
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
  const stop = () => queue.end();
  signal.addEventListener('abort', stop, { once: true });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    queue.fail(
      new CliError(`the Kafka consumer of "${topic}" failed: ${messageOf(payload.error)}`),
    );
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    if (from === 'end') {
      for (const partition of payload.memberAssignment[topic] ?? []) {
        const end = ends.get(partition);
        if (end) consumer.seek({ topic, partition, offset: end.high.toString() });
      }
    }
    options.onReady(`Kafka topic ${topic}`);
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const offset = BigInt(message.offset);
        const end = ends.get(partition);
        // A fetch that left before the seek to the end may still bring older records.
        if (from === 'end' && end && offset < end.high) return;
        await queue.push(
          decoded(`${topic}[${partition}]@${message.offset}`, () => fromKafkaRecord(message)),
        );
        if (
          !follow &&
          end &&
          offset + 1n >= end.high &&
          open.delete(partition) &&
          open.size === 0
        ) {
          queue.end();
        }
      },
    });
    yield* queue;
  } finally {
    signal.removeEventListener('abort', stop);
    await consumer.disconnect().catch(() => {});
  }
}

interface End {
  readonly low: bigint;
  readonly high: bigint;
}

async function endOffsets(link: KafkaLink, topic: string): Promise<Map<number, End>> {
  const topics = await link.admin.listTopics();
  if (!topics.includes(topic)) {
    throw new CliError(`Kafka topic "${topic}" does not exist at ${link.brokers}`);
  }
  const offsets = await link.admin.fetchTopicOffsets(topic);
  return new Map(
    offsets.map((p) => [p.partition, { low: BigInt(p.low), high: BigInt(p.high) }] as const),
  );
}
