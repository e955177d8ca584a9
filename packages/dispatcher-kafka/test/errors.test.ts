import { createServer, type Server, type Socket } from 'node:net';
import { BrokerUnavailable, DispatchFailed, InvalidEvent, dispatch, initial } from '@eventfan/core';
import type { DispatchContext } from '@eventfan/core';
import { Conformance, freePort, sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { logLevel, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaDispatchError, KafkaDispatcher, type WithConfig } from '../src/index.js';
import { createTopics, testKafka } from './kafka.js';
import { TopicReader } from './topic-reader.js';

const context = (stream: string): DispatchContext => ({
  aggregate: 'conformance',
  stream,
  expectedGeneration: 0,
  attempt: 1,
});

describeWithBroker('kafka', 'KafkaDispatcher errors', (broker) => {
  let kafka: Kafka;
  const dispatchers: KafkaDispatcher[] = [];
  const make = (options: Partial<Omit<WithConfig, 'kafka'>> & { brokers?: string[] } = {}) => {
    const { brokers, ...rest } = options;
    const dispatcher = new KafkaDispatcher({
      kafka: {
        brokers: brokers ?? [broker.url],
        logLevel: logLevel.NOTHING,
        connectionTimeout: 500,
        retry: { retries: 1, initialRetryTime: 100 },
      },
      ...rest,
    });
    dispatchers.push(dispatcher);
    return dispatcher;
  };
  beforeAll(() => {
    kafka = testKafka(broker.url);
  });
  afterAll(() => Promise.all(dispatchers.map((d) => d.close())));

  describe('given a topic that does not exist', () => {
    it('when the producer may not create topics, then dispatch() fails for this target with KafkaDispatchError naming the topic', async () => {
      const topic = uniqueStream('absent');
      const dispatcher = make({
        name: 'kafka-strict',
        topic: () => topic,
        producerConfig: { allowAutoTopicCreation: false },
      });
      const current = { ...initial(Conformance, 'x'), stream: uniqueStream() };
      const error = await dispatch(Conformance, current, { type: 'Tick', n: 1 }, [
        dispatcher,
      ]).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(DispatchFailed);
      const failure = (error as DispatchFailed).failures[0];
      expect(failure?.target).toBe('kafka-strict');
      expect(failure?.error).toBeInstanceOf(KafkaDispatchError);
      expect(failure?.error).toMatchObject({
        code: 'KAFKA_UNKNOWN_TOPIC',
        topic,
        kafkaError: 'UNKNOWN_TOPIC_OR_PARTITION',
      });
      expect((error as Error).message).toContain(`Kafka topic "${topic}"`);
    });

    it('when the broker auto-creates topics, then the dispatch creates it and the events are there', async () => {
      const topic = uniqueStream('auto');
      const dispatcher = make({ topic: () => topic });
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 2);
      await dispatcher.dispatch(envelopes, context(stream));
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

    it('when one is over maxMessageBytes, then InvalidEvent names it and nothing of the dispatch is sent', async () => {
      const dispatcher = make({ topic: () => topic, maxMessageBytes: 2_000 });
      const stream = uniqueStream();
      const small = await sampleEnvelopes(stream, 1);
      const big = await sampleEnvelopes(stream, 1, { after: 1, padding: 3_000 });
      const attempt = dispatcher.dispatch([...small, ...big], context(stream));
      await expect(attempt).rejects.toThrow(InvalidEvent);
      await expect(attempt).rejects.toThrow(/generation 2.*over the 2000-byte limit/);
      const otherStream = uniqueStream();
      const after = await sampleEnvelopes(otherStream, 1);
      await dispatcher.dispatch(after, context(otherStream));
      const reader = await TopicReader.start(kafka, [topic]);
      const records = await reader.all(topic);
      await reader.stop();
      expect(records.map((r) => String(r.headers['ce_id']))).toEqual(after.map((e) => e.id));
    });

    it('when their batch together is over maxMessageBytes, then InvalidEvent says so before sending', async () => {
      const dispatcher = make({ topic: () => topic, maxMessageBytes: 2_000 });
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 3, { padding: 500 });
      await expect(dispatcher.dispatch(envelopes, context(stream))).rejects.toThrow(
        /\d events of this dispatch for topic ".*" total \d+ bytes/,
      );
    });

    it('when one passes our limit but not the topic’s max.message.bytes, then KafkaDispatchError names the topic', async () => {
      const dispatcher = make({ topic: () => topic });
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 1, { padding: 10_000 });
      const attempt = dispatcher.dispatch(envelopes, context(stream));
      await expect(attempt).rejects.toBeInstanceOf(KafkaDispatchError);
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
      const dispatcher = make({ name: 'kafka-down', brokers: [`127.0.0.1:${await freePort()}`] });
      const stream = uniqueStream();
      const attempt = dispatcher.dispatch(await sampleEnvelopes(stream, 1), context(stream));
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
      const dispatcher = make({
        name: 'kafka-hung',
        brokers: [`127.0.0.1:${port}`],
        timeoutMs: 1_000,
      });
      const stream = uniqueStream();
      const attempt = dispatcher.dispatch(await sampleEnvelopes(stream, 1), context(stream));
      await expect(attempt).rejects.toBeInstanceOf(BrokerUnavailable);
      await expect(attempt).rejects.toMatchObject({ code: 'BROKER_TIMEOUT', target: 'kafka-hung' });
      await expect(attempt).rejects.toThrow(/within 1000 ms .* topic "conformance"/);
    });
  });

  describe('given bad input', () => {
    it('when the topic function gives a name Kafka refuses, then InvalidEvent names it', async () => {
      const dispatcher = make({ topic: () => 'no spaces/allowed' });
      const stream = uniqueStream();
      await expect(
        dispatcher.dispatch(await sampleEnvelopes(stream, 1), context(stream)),
      ).rejects.toThrow(/topic "no spaces\/allowed" is not a Kafka topic name/);
    });

    it('when the data is not JSON, then InvalidEvent names the path', async () => {
      const dispatcher = make();
      const stream = uniqueStream();
      const bad = (await sampleEnvelopes(stream, 1)).map((e) => ({
        ...e,
        data: { at: new Date(0) },
      }));
      await expect(dispatcher.dispatch(bad, context(stream))).rejects.toThrow(InvalidEvent);
      await expect(dispatcher.dispatch(bad, context(stream))).rejects.toThrow(/\$\.data\.at/);
    });

    it('when the dispatch was aborted, then it throws before sending', async () => {
      const dispatcher = make();
      const stream = uniqueStream();
      const signal = AbortSignal.abort(new Error('caller gave up'));
      await expect(
        dispatcher.dispatch(await sampleEnvelopes(stream, 1), { ...context(stream), signal }),
      ).rejects.toThrow('caller gave up');
    });

    it('when the dispatcher is closed, then dispatch refuses', async () => {
      const dispatcher = make();
      await dispatcher.close();
      const stream = uniqueStream();
      await expect(
        dispatcher.dispatch(await sampleEnvelopes(stream, 1), context(stream)),
      ).rejects.toMatchObject({
        code: 'DISPATCHER_CLOSED',
      });
    });
  });
});
