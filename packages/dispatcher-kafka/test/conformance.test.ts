import { fromKafkaRecord } from '@eventfan/cloudevents';
import { freePort } from '@eventfan/testing';
import { describePublisherConformance } from '@eventfan/testing/conformance';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { logLevel } from 'kafkajs';
import { kafkaPublisher, type KafkaEncoding } from '../src/index.js';
import { createTopics, testKafka } from './kafka.js';
import { TopicReader } from './topic-reader.js';

describeWithBroker('kafka', 'Kafka', (broker) => {
  const harness = (encoding: KafkaEncoding) => async () => {
    const kafka = testKafka(broker.url);
    await createTopics(kafka, [{ topic: 'conformance', numPartitions: 3 }]);
    const reader = await TopicReader.start(kafka, ['conformance']);
    const publisher = kafkaPublisher({
      kafka: { brokers: broker.url.split(','), logLevel: logLevel.NOTHING },
      encoding,
    });
    return {
      publisher,
      readBack: async (stream: string, atLeast: number) =>
        (await reader.byKey(stream, atLeast)).map((record) => ({ ...fromKafkaRecord(record) })),
      unreachable: async () =>
        kafkaPublisher({
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
        await publisher.close();
        await reader.stop();
      },
    };
  };
  // Kafka keeps a re-sent record: consumers dedupe on the CloudEvent id.
  describePublisherConformance('kafkaPublisher, binary', harness('binary'), { dedupe: false });
  describePublisherConformance('kafkaPublisher, structured', harness('structured'), {
    dedupe: false,
  });
});
