import type { Producer } from 'kafkajs';

/**
 * A connected idempotent producer of `kafka` whose requests are recorded: for each `sendBatch`,
 * `topic×records` per topic, so a test can see which publishes shared a request.
 */
export async function loggedProducer(
  kafka: { producer: (config: object) => Producer },
  config: object = {},
): Promise<{ producer: Producer; requests: string[][] }> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, ...config });
  await producer.connect();
  const requests: string[][] = [];
  const sendBatch = producer.sendBatch.bind(producer);
  producer.sendBatch = (batch) => {
    requests.push((batch.topicMessages ?? []).map((t) => `${t.topic}×${t.messages.length}`));
    return sendBatch(batch);
  };
  return { producer, requests };
}
