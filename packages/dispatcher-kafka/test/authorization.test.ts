import { commandHandler, DispatchFailed, InMemoryEventStore, type Envelope } from '@eventfan/core';
import {
  Conformance,
  acquireBrokerOrSkip,
  isMissing,
  kafkaBrokerWith,
  sampleEnvelopes,
  uniqueStream,
  type Broker,
} from '@eventfan/testing';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
  logLevel,
} from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaPublishError, kafkaPublisher } from '../src/index.js';
import { createTopics, testKafka } from './kafka.js';
import { loggedProducer } from './request-log.js';

/**
 * Its own Kafka with ACLs switched on (everything allowed that no ACL names), so one topic can be
 * denied to the anonymous principal of a plaintext connection.
 */
describe('kafkaPublisher against a broker that denies a topic', () => {
  let broker: Broker | undefined;
  let skipped = '';
  const topic = uniqueStream('forbidden');
  const allowed = uniqueStream('allowed');

  beforeAll(async () => {
    const got = await acquireBrokerOrSkip(kafkaBrokerWith({ acls: true }), { ownProcess: true });
    if (isMissing(got)) {
      skipped = got.missing;
      return;
    }
    broker = got;
    const kafka = testKafka(broker.url);
    await createTopics(kafka, [{ topic }, { topic: allowed, numPartitions: 3 }]);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createAcls({
      acl: [
        {
          resourceType: AclResourceTypes.TOPIC,
          resourceName: topic,
          resourcePatternType: ResourcePatternTypes.LITERAL,
          principal: 'User:ANONYMOUS',
          host: '*',
          operation: AclOperationTypes.WRITE,
          permissionType: AclPermissionTypes.DENY,
        },
      ],
    });
    await admin.disconnect();
  }, 180_000);
  afterAll(() => broker?.dispose());

  it('given WRITE is denied on the topic, when a command is handled, then the handler reports KafkaPublishError KAFKA_NOT_AUTHORIZED naming the topic, not retriable', async (context) => {
    if (!broker) return context.skip(skipped);
    const publisher = kafkaPublisher({
      name: 'kafka-denied',
      kafka: {
        brokers: [broker.url],
        logLevel: logLevel.NOTHING,
        retry: { retries: 1, initialRetryTime: 100 },
      },
      topic: () => topic,
    });
    const handler = commandHandler({
      aggregate: Conformance,
      store: new InMemoryEventStore(),
      publishers: [publisher],
    });
    const error = await handler
      .handle(uniqueStream('hero'), { type: 'Tick', n: 1 })
      .catch((e: unknown) => e);
    await publisher.close();

    expect(error).toBeInstanceOf(DispatchFailed);
    expect((error as DispatchFailed).retriable).toBe(false);
    const cause = (error as DispatchFailed).failures[0]?.error;
    expect(cause).toBeInstanceOf(KafkaPublishError);
    expect(cause).toMatchObject({
      code: 'KAFKA_NOT_AUTHORIZED',
      topic,
      target: 'kafka-denied',
      kafkaError: 'TOPIC_AUTHORIZATION_FAILED',
    });
    expect((error as Error).message).toContain(`Kafka topic "${topic}"`);
  });

  it('given publishes handed over together, one to the denied topic, when sent, then that one fails alone and the others share one request and get their receipts', async (context) => {
    if (!broker) return context.skip(skipped);
    const kafka = testKafka(broker.url);
    const { producer, requests } = await loggedProducer(kafka, {
      retry: { retries: 1, initialRetryTime: 100 },
    });
    const denied = uniqueStream('denied');
    const publisher = kafkaPublisher({
      producer,
      topic: (e) => (e.stream === denied ? topic : allowed),
    });
    const send = (envelopes: readonly Envelope[]) =>
      publisher.publish(publisher.prepare(envelopes));
    await send(await sampleEnvelopes(uniqueStream('warm'), 1)); // the allowed topic is proven
    const streams = [
      ...Array.from({ length: 4 }, () => uniqueStream('ok')),
      denied,
      ...Array.from({ length: 4 }, () => uniqueStream('ok')),
    ];
    const batches = await Promise.all(streams.map((s) => sampleEnvelopes(s, 1)));
    const outcomes = await Promise.allSettled(batches.map(send));
    await publisher.close();
    await producer.disconnect();

    expect(outcomes.map((o) => o.status)).toEqual(
      streams.map((s) => (s === denied ? 'rejected' : 'fulfilled')),
    );
    const refused = (outcomes[4] as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(KafkaPublishError);
    expect(refused).toMatchObject({ code: 'KAFKA_NOT_AUTHORIZED', topic, stream: denied });
    // The warm-up, the 8 allowed publishes in one request, the denied one alone.
    expect(requests).toEqual([[`${allowed}×1`], [`${allowed}×8`], [`${topic}×1`]]);
    for (const outcome of outcomes.filter((o) => o.status === 'fulfilled')) {
      expect(outcome.value.events[0]?.position).toMatchObject({ topic: allowed });
    }
  });
});
