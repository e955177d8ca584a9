import { createServer } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import type { ITopicConfig } from 'kafkajs';

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

/** A unique topic name for one test. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** A port on 127.0.0.1 that nothing listens on. */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
