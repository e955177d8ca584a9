import { Kafka, logLevel } from 'kafkajs';
import type { ITopicConfig } from 'kafkajs';
import type { Envelope } from '@eventfan/core';
import type { KafkaPublisher } from '../src/index.js';

/** A kafkajs client for the test broker, quiet: the tests assert on what matters. */
export function testKafka(url: string): Kafka {
  return new Kafka({
    brokers: url.split(','),
    clientId: 'eventfan-test',
    logLevel: logLevel.NOTHING,
  });
}

/** Creates topics (fine if they exist) and waits for their leaders. */
export async function createTopics(kafka: Kafka, topics: readonly ITopicConfig[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [...topics], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** A batch through the publisher as the command handler sends it: pre-flight, then publish. */
export const send = (publisher: KafkaPublisher, envelopes: readonly Envelope[]) =>
  publisher.publish(publisher.prepare(envelopes));
