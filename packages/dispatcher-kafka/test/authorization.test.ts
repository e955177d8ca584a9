import { DispatchFailed, dispatch, initial } from '@eventfan/core';
import {
  Conformance,
  acquireBrokerOrSkip,
  isMissing,
  kafkaBrokerWith,
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
import { KafkaDispatchError, KafkaDispatcher } from '../src/index.js';
import { createTopics, testKafka } from './kafka.js';

/**
 * Its own Kafka with ACLs switched on (everything allowed that no ACL names), so one topic can be
 * denied to the anonymous principal of a plaintext connection.
 */
describe('KafkaDispatcher against a broker that denies a topic', () => {
  let broker: Broker | undefined;
  let skipped = '';
  const topic = uniqueStream('forbidden');

  beforeAll(async () => {
    const got = await acquireBrokerOrSkip(kafkaBrokerWith({ acls: true }), { ownProcess: true });
    if (isMissing(got)) {
      skipped = got.missing;
      return;
    }
    broker = got;
    const kafka = testKafka(broker.url);
    await createTopics(kafka, [{ topic }]);
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
  });
  afterAll(() => broker?.dispose());

  it('given WRITE is denied on the topic, when dispatching, then dispatch() reports KafkaDispatchError KAFKA_NOT_AUTHORIZED naming the topic', async (context) => {
    if (!broker) return context.skip(skipped);
    const dispatcher = new KafkaDispatcher({
      name: 'kafka-denied',
      kafka: {
        brokers: [broker.url],
        logLevel: logLevel.NOTHING,
        retry: { retries: 1, initialRetryTime: 100 },
      },
      topic: () => topic,
    });
    const current = { ...initial(Conformance, 'x'), stream: 'hero-denied' };
    const error = await dispatch(Conformance, current, { type: 'Tick', n: 1 }, [dispatcher]).catch(
      (e: unknown) => e,
    );
    await dispatcher.close();

    expect(error).toBeInstanceOf(DispatchFailed);
    const cause = (error as DispatchFailed).failures[0]?.error;
    expect(cause).toBeInstanceOf(KafkaDispatchError);
    expect(cause).toMatchObject({
      code: 'KAFKA_NOT_AUTHORIZED',
      topic,
      target: 'kafka-denied',
      kafkaError: 'TOPIC_AUTHORIZATION_FAILED',
    });
    expect((error as Error).message).toContain(`Kafka topic "${topic}"`);
  });
});
