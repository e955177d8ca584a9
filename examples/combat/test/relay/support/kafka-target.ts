import { kafkaPublisher } from '@eventfan/dispatcher-kafka';
import { Kafka, logLevel } from 'kafkajs';
import { readKafkaTopic } from './kafka-read.js';
import type { FaultTarget } from './targets.js';

const client = (url: string, clientId: string) =>
  new Kafka({ clientId, brokers: [url], logLevel: logLevel.NOTHING });

/**
 * Kafka: a topic per run, keyed by stream. Kafka keeps a re-sent record again (a new producer
 * after an uncertain send, a relay restarted from its checkpoint), so duplicates are allowed —
 * each counted and explained by a re-send of that id.
 */
export const kafkaFaultTarget: FaultTarget = {
  kind: 'kafka',
  dedupes: false,
  async create(url, run) {
    const admin = client(url, 'fault-admin').admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic: run, numPartitions: 4 }],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
  },
  async connect(url, run) {
    const made: { close(): Promise<void> }[] = [];
    return {
      publisher: () => {
        const publisher = kafkaPublisher({
          kafka: { clientId: 'fault-relay', brokers: [url], logLevel: logLevel.NOTHING },
          topic: () => run,
          timeoutMs: 5_000,
        });
        made.push(publisher);
        return publisher;
      },
      close: async () => {
        await Promise.all(made.map((p) => p.close()));
      },
    };
  },
  read: readKafkaTopic,
};
