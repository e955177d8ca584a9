import type { Envelope } from '@eventfan/core';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import { logLevel, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaPublishError, kafkaPublisher, type KafkaPublisher } from '../src/index.js';
import { createTopics, send, testKafka } from './kafka.js';
import { TopicReader } from './topic-reader.js';

const ids = (records: readonly { headers: Record<string, unknown> }[]) =>
  records.map((r) => String(r.headers['ce_id']));

describeWithBroker('kafka', 'kafkaPublisher in transactional mode', (broker) => {
  const topics = [uniqueStream('tx-odd'), uniqueStream('tx-even')];
  const missing = uniqueStream('tx-missing');
  let kafka: Kafka;
  let publisher: KafkaPublisher;
  let committed: TopicReader;
  let uncommitted: TopicReader;

  beforeAll(async () => {
    kafka = testKafka(broker.url);
    await createTopics(
      kafka,
      topics.map((topic) => ({ topic })),
    );
    publisher = kafkaPublisher({
      kafka: { brokers: [broker.url], logLevel: logLevel.NOTHING },
      transactional: true,
      producerConfig: {
        transactionalId: `eventfan-test-${uniqueStream('tx')}`,
        allowAutoTopicCreation: false,
        retry: { retries: 1, initialRetryTime: 100 },
      },
      // Odd generations to one topic, even to the other; generation 3 of a "doomed" stream to a
      // topic that does not exist, so that the publish fails after a first topic took its events.
      topic: (e) =>
        e.stream.startsWith('doomed') && e.generation === 3
          ? missing
          : (topics[e.generation % 2] as string),
    });
    [committed, uncommitted] = await Promise.all([
      TopicReader.start(kafka, topics, { readCommitted: true }),
      TopicReader.start(kafka, topics, { readCommitted: false }),
    ]);
  });
  afterAll(async () => {
    await publisher.close();
    await Promise.all([committed.stop(), uncommitted.stop()]);
  });

  it('given a publish over two topics, when committed, then a read_committed consumer sees all of it', async () => {
    const stream = uniqueStream('hero');
    const envelopes = await sampleEnvelopes(stream, 4);
    const receipt = await send(publisher, envelopes);
    expect(receipt.events.map((e) => e.id)).toEqual(envelopes.map((e) => e.id));
    expect(new Set(receipt.events.map((e) => e.position['topic']))).toEqual(new Set(topics));
    expect(ids(await committed.byKey(stream, 4)).sort()).toEqual(envelopes.map((e) => e.id).sort());
  });

  it('given a publish whose second topic fails, when aborted, then a read_committed consumer sees none of it', async () => {
    const stream = uniqueStream('doomed');
    const envelopes = await sampleEnvelopes(stream, 3);
    const error = await send(publisher, envelopes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaPublishError);
    expect(error).toMatchObject({ code: 'KAFKA_UNKNOWN_TOPIC', stream });
    expect((error as Error).message).toContain(missing);

    // The first topic's records were written and then aborted: an uncommitted reader sees them,
    // a committed one must not, even once it has read past them.
    const written = await uncommitted.byKey(stream, 2);
    expect(ids(written).sort()).toEqual(
      [envelopes[0], envelopes[1]].map((e) => (e as Envelope).id).sort(),
    );
    const after = uniqueStream('hero');
    await send(publisher, await sampleEnvelopes(after, 2));
    await committed.byKey(after, 2);
    expect(committed.records.filter((r) => r.key === stream)).toEqual([]);
  });

  it('given concurrent publishes, when each is its own transaction, then all commit whole', async () => {
    const streams = Array.from({ length: 4 }, () => uniqueStream('hero'));
    const batches = await Promise.all(streams.map((s) => sampleEnvelopes(s, 3)));
    await Promise.all(batches.map((b) => send(publisher, b)));
    for (const [i, stream] of streams.entries()) {
      const back = await committed.byKey(stream, 3);
      expect(ids(back).sort()).toEqual((batches[i] as Envelope[]).map((e) => e.id).sort());
    }
  });

  describe('given your own producer without a transactionalId', () => {
    it('when publishing transactionally, then it fails naming the topic and sends nothing', async () => {
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const own = kafkaPublisher({
        producer,
        transactional: true,
        topic: () => topics[0] as string,
      });
      const error = await send(own, await sampleEnvelopes(uniqueStream('hero'), 1)).catch(
        (e: unknown) => e,
      );
      await producer.disconnect();
      expect(error).toBeInstanceOf(KafkaPublishError);
      expect((error as Error).message).toMatch(/transactional/i);
      expect((error as Error).message).toContain(`Kafka topic "${topics[0]}"`);
    });
  });
});
