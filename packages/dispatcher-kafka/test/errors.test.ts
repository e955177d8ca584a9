import { createServer, type Server, type Socket } from 'node:net';
import {
  BrokerUnavailable,
  commandHandler,
  DispatchFailed,
  InMemoryEventStore,
  InvalidEvent,
  OperationAborted,
  TargetClosed,
} from '@eventfan/core';
import { Conformance, freePort, sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { logLevel, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KafkaPublishError,
  kafkaPublisher,
  type KafkaPublisher,
  type WithConfig,
} from '../src/index.js';
import { createTopics, send, testKafka } from './kafka.js';
import { TopicReader } from './topic-reader.js';

describeWithBroker('kafka', 'kafkaPublisher errors', (broker) => {
  let kafka: Kafka;
  const publishers: KafkaPublisher[] = [];
  const make = (options: Partial<Omit<WithConfig, 'kafka'>> & { brokers?: string[] } = {}) => {
    const { brokers, ...rest } = options;
    const publisher = kafkaPublisher({
      kafka: {
        brokers: brokers ?? [broker.url],
        logLevel: logLevel.NOTHING,
        connectionTimeout: 500,
        retry: { retries: 1, initialRetryTime: 100 },
      },
      ...rest,
    });
    publishers.push(publisher);
    return publisher;
  };
  beforeAll(() => {
    kafka = testKafka(broker.url);
  });
  afterAll(() => Promise.all(publishers.map((p) => p.close())));

  describe('given a topic that does not exist', () => {
    it('when the producer may not create topics, then the handler reports KafkaPublishError naming the topic for this target, not retriable', async () => {
      const topic = uniqueStream('absent');
      const publisher = make({
        name: 'kafka-strict',
        topic: () => topic,
        producerConfig: { allowAutoTopicCreation: false },
      });
      const store = new InMemoryEventStore();
      const handler = commandHandler({ aggregate: Conformance, store, publishers: [publisher] });
      const error = await handler
        .handle(uniqueStream(), { type: 'Tick', n: 1 })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(DispatchFailed);
      expect((error as DispatchFailed).retriable).toBe(false);
      const failure = (error as DispatchFailed).failures[0];
      expect(failure?.target).toBe('kafka-strict');
      expect(failure?.error).toBeInstanceOf(KafkaPublishError);
      expect(failure?.error).toMatchObject({
        code: 'KAFKA_UNKNOWN_TOPIC',
        topic,
        kafkaError: 'UNKNOWN_TOPIC_OR_PARTITION',
      });
      expect((error as Error).message).toContain(`Kafka topic "${topic}"`);
    });

    it('when the broker auto-creates topics, then the publish creates it and the events are there', async () => {
      const topic = uniqueStream('auto');
      const publisher = make({ topic: () => topic });
      const envelopes = await sampleEnvelopes(uniqueStream(), 2);
      await send(publisher, envelopes);
      const reader = await TopicReader.start(kafka, [topic]);
      const records = await reader.all(topic);
      await reader.stop();
      expect(records.map((r) => String(r.headers['ce_id']))).toEqual(envelopes.map((e) => e.id));
    });
  });

  describe('given events too large for Kafka', () => {
    const topic = uniqueStream('large');
    beforeAll(() =>
      createTopics(kafka, [
        { topic, configEntries: [{ name: 'max.message.bytes', value: '4096' }] },
      ]),
    );

    it('when one is over maxMessageBytes, then prepare refuses with InvalidEvent naming it, and nothing is sent', async () => {
      const publisher = make({ topic: () => topic, maxMessageBytes: 2_000 });
      const stream = uniqueStream();
      const small = await sampleEnvelopes(stream, 1);
      const big = await sampleEnvelopes(stream, 1, { after: 1, padding: 3_000 });
      const attempt = () => publisher.prepare([...small, ...big]);
      expect(attempt).toThrow(InvalidEvent);
      expect(attempt).toThrow(/target "kafka".*generation 2.*over the 2000-byte limit/);
      const after = await sampleEnvelopes(uniqueStream(), 1);
      await send(publisher, after);
      const reader = await TopicReader.start(kafka, [topic]);
      const records = await reader.all(topic);
      await reader.stop();
      expect(records.map((r) => String(r.headers['ce_id']))).toEqual(after.map((e) => e.id));
    });

    it('when their batch together is over maxMessageBytes, then prepare says so', async () => {
      const publisher = make({ topic: () => topic, maxMessageBytes: 2_000 });
      const envelopes = await sampleEnvelopes(uniqueStream(), 3, { padding: 500 });
      expect(() => publisher.prepare(envelopes)).toThrow(
        /\d events of this batch for topic ".*" total \d+ bytes/,
      );
    });

    it('when one passes our limit but not the topic’s max.message.bytes, then KafkaPublishError names the topic', async () => {
      const publisher = make({ topic: () => topic });
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 1, { padding: 10_000 });
      const attempt = send(publisher, envelopes);
      await expect(attempt).rejects.toBeInstanceOf(KafkaPublishError);
      await expect(attempt).rejects.toMatchObject({
        code: 'KAFKA_MESSAGE_TOO_LARGE',
        topic,
        stream,
      });
    });
  });

  describe('given a broker that cannot be had', () => {
    let silent: Server;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      // Accepts connections and never answers: a hung broker.
      silent = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => silent.close(resolve));
    });

    it('when nothing listens, then BrokerUnavailable names the target', async () => {
      const publisher = make({ name: 'kafka-down', brokers: [`127.0.0.1:${await freePort()}`] });
      const attempt = send(publisher, await sampleEnvelopes(uniqueStream(), 1));
      await expect(attempt).rejects.toBeInstanceOf(BrokerUnavailable);
      await expect(attempt).rejects.toMatchObject({
        code: 'BROKER_UNAVAILABLE',
        target: 'kafka-down',
      });
      await expect(attempt).rejects.toThrow(/to topic "conformance" failed: .*ECONNREFUSED/);
    });

    it('when the broker never answers, then BrokerUnavailable says it timed out after timeoutMs', async () => {
      const address = silent.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const publisher = make({
        name: 'kafka-hung',
        brokers: [`127.0.0.1:${port}`],
        timeoutMs: 1_000,
      });
      const attempt = send(publisher, await sampleEnvelopes(uniqueStream(), 1));
      await expect(attempt).rejects.toBeInstanceOf(BrokerUnavailable);
      await expect(attempt).rejects.toMatchObject({ code: 'BROKER_TIMEOUT', target: 'kafka-hung' });
      await expect(attempt).rejects.toThrow(/within 1000 ms .* topic "conformance"/);
    });
  });

  describe('given bad input', () => {
    it('when the topic function gives a name Kafka refuses, then prepare throws InvalidEvent naming it', async () => {
      const publisher = make({ topic: () => 'no spaces/allowed' });
      const envelopes = await sampleEnvelopes(uniqueStream(), 1);
      expect(() => publisher.prepare(envelopes)).toThrow(InvalidEvent);
      expect(() => publisher.prepare(envelopes)).toThrow(
        /topic "no spaces\/allowed" is not a Kafka topic name/,
      );
    });

    it('when the data is not JSON, then InvalidEvent names the path', async () => {
      const publisher = make();
      const bad = (await sampleEnvelopes(uniqueStream(), 1)).map((e) => ({
        ...e,
        data: { at: new Date(0) },
      }));
      expect(() => publisher.prepare(bad)).toThrow(InvalidEvent);
      expect(() => publisher.prepare(bad)).toThrow(/\$\.data\.at/);
    });

    it('when the publish was aborted, then OperationAborted before sending', async () => {
      const publisher = make();
      const prepared = publisher.prepare(await sampleEnvelopes(uniqueStream(), 1));
      const signal = AbortSignal.abort(new Error('caller gave up'));
      const attempt = publisher.publish(prepared, { attempt: 1, signal });
      await expect(attempt).rejects.toBeInstanceOf(OperationAborted);
      await expect(attempt).rejects.toThrow('caller gave up');
    });

    it('when the publisher is closed, then prepare and publish are TargetClosed', async () => {
      const publisher = make();
      const prepared = publisher.prepare(await sampleEnvelopes(uniqueStream(), 1));
      await publisher.close();
      expect(() => publisher.prepare([])).toThrow(TargetClosed);
      await expect(publisher.publish(prepared)).rejects.toBeInstanceOf(TargetClosed);
    });
  });
});
