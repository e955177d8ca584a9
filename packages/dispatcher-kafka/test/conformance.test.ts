import { fromKafkaRecord } from '@eventfan/cloudevents';
import { describeDispatcherConformance } from '@eventfan/testing/conformance';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { freePort } from '@eventfan/testing';
import { logLevel } from 'kafkajs';
import { KafkaDispatcher } from '../src/index.js';
import { createTopics, testKafka } from './kafka.js';
import { TopicReader } from './topic-reader.js';

describeWithBroker('kafka', 'Kafka', (broker) => {
  describeDispatcherConformance(
    'KafkaDispatcher',
    async () => {
      const kafka = testKafka(broker.url);
      await createTopics(kafka, [{ topic: 'conformance', numPartitions: 3 }]);
      const reader = await TopicReader.start(kafka, ['conformance']);
      const dispatcher = new KafkaDispatcher({
        kafka: { brokers: broker.url.split(','), logLevel: logLevel.NOTHING },
      });
      return {
        dispatcher,
        readBack: async (stream, atLeast) =>
          (await reader.byKey(stream, atLeast)).map((record) => ({ ...fromKafkaRecord(record) })),
        unreachable: async () =>
          new KafkaDispatcher({
            name: 'kafka-unreachable',
            kafka: {
              brokers: [`127.0.0.1:${await freePort()}`],
              logLevel: logLevel.NOTHING,
              connectionTimeout: 300,
              retry: { retries: 1, initialRetryTime: 100 },
            },
            timeoutMs: 5_000,
          }),
        close: async () => {
          await dispatcher.close();
          await reader.stop();
        },
      };
    },
    // Kafka keeps a re-sent record (consumers dedupe on the CloudEvent id), and has no expected
    // offset to check a generation against.
    { dedupe: false, concurrency: false },
  );
});
