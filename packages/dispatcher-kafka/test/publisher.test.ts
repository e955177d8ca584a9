import { fromKafkaRecord } from '@eventfan/cloudevents';
import type { Envelope, Receipt } from '@eventfan/core';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import type { Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaPublishError, kafkaPublisher, type KafkaPosition } from '../src/index.js';
import { createTopics, send, testKafka } from './kafka.js';
import { decodeWithSdk } from './sdk.js';
import { TopicReader, type ReadRecord } from './topic-reader.js';

const text = (value: ReadRecord['headers'][string]): string | undefined =>
  value === undefined ? undefined : String(value);

describeWithBroker('kafka', 'kafkaPublisher against Kafka', (broker) => {
  let kafka: Kafka;
  beforeAll(() => {
    kafka = testKafka(broker.url);
  });

  describe('given binary mode (the default) and a topic of 3 partitions', () => {
    const topic = uniqueStream('binary');
    const streams = [uniqueStream('hero'), uniqueStream('hero'), uniqueStream('hero')];
    let batches: Envelope[][];
    let receipts: Receipt<KafkaPosition>[];
    let records: ReadRecord[];

    beforeAll(async () => {
      await createTopics(kafka, [{ topic, numPartitions: 3 }]);
      const publisher = kafkaPublisher({
        kafka: { brokers: [broker.url], logLevel: 0 },
        topic: () => topic,
      });
      batches = await Promise.all(streams.map((s) => sampleEnvelopes(s, 4)));
      // Two publishes per stream, the streams interleaved, as concurrent commands would: they
      // share requests, and each event's receipt must still name its own offset.
      const first = await Promise.all(batches.map((b) => send(publisher, b.slice(0, 2))));
      const second = await Promise.all(batches.map((b) => send(publisher, b.slice(2))));
      receipts = [...first, ...second];
      await publisher.close();
      const reader = await TopicReader.start(kafka, [topic]);
      records = await reader.all(topic);
      await reader.stop();
    });

    it('when consumed, then every record is keyed by its stream and a stream sits in one partition in order', () => {
      expect(records).toHaveLength(12);
      for (const [i, stream] of streams.entries()) {
        const mine = records.filter((r) => r.key === stream);
        expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
        const inOffsetOrder = [...mine].sort((a, b) => (a.offset < b.offset ? -1 : 1));
        expect(inOffsetOrder.map((r) => text(r.headers['ce_id']))).toEqual(
          (batches[i] as Envelope[]).map((e) => e.id),
        );
        expect(inOffsetOrder.map((r) => Number(text(r.headers['ce_sequence'])))).toEqual([
          1, 2, 3, 4,
        ]);
      }
    });

    it('when consumed, then the ce_ headers carry the CloudEvent attributes and content-type the data type', () => {
      const envelope = (batches[0] as Envelope[])[0] as Envelope;
      const record = records.find((r) => text(r.headers['ce_id']) === envelope.id) as ReadRecord;
      expect(
        Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, text(v)])),
      ).toMatchObject({
        ce_specversion: '1.0',
        ce_id: envelope.id,
        ce_source: envelope.source,
        ce_type: envelope.type,
        ce_subject: envelope.stream,
        ce_time: envelope.time,
        ce_partitionkey: envelope.stream,
        ce_eventversion: envelope.version,
        'content-type': 'application/json',
      });
      expect(JSON.parse(record.value?.toString() ?? 'null')).toEqual(envelope.data);
    });

    it('when decoded with the cloudevents SDK, then each event comes back field by field', () => {
      const sent = batches.flat();
      const decoded = records.map(decodeWithSdk);
      for (const envelope of sent) {
        const event = decoded.find((e) => e.id === envelope.id);
        expect(event).toMatchObject({
          specversion: '1.0',
          source: envelope.source,
          type: envelope.type,
          subject: envelope.stream,
          datacontenttype: 'application/json',
          partitionkey: envelope.stream,
          data: envelope.data,
        });
        expect(new Date(event?.time ?? 0).toISOString()).toBe(
          new Date(envelope.time).toISOString(),
        );
      }
    });

    it('when the receipts are compared with the consumed records, then each names its topic, partition and offset', () => {
      const where = new Map(
        records.map((r) => [
          text(r.headers['ce_id']),
          { topic, partition: r.partition, offset: String(r.offset) },
        ]),
      );
      const events = receipts.flatMap((r) => r.events);
      expect(events).toHaveLength(12);
      for (const event of events) expect(event.position).toEqual(where.get(event.id));
    });
  });

  describe('given structured encoding', () => {
    it('when published, then the value is the JSON-format event and both the SDK and our decoder read it back', async () => {
      const topic = uniqueStream('structured');
      await createTopics(kafka, [{ topic }]);
      const publisher = kafkaPublisher({
        kafka: { brokers: [broker.url], logLevel: 0 },
        topic: () => topic,
        encoding: 'structured',
      });
      const stream = uniqueStream('hero');
      const envelopes = await sampleEnvelopes(stream, 2, { metadata: { tenant: 'acme' } });
      await send(publisher, envelopes);
      await publisher.close();
      const reader = await TopicReader.start(kafka, [topic]);
      const records = await reader.all(topic);
      await reader.stop();

      expect(records.map((r) => r.key)).toEqual([stream, stream]);
      expect(text(records[0]?.headers['content-type'])).toMatch(/^application\/cloudevents\+json/);
      expect(Object.keys(records[0]?.headers ?? {}).filter((h) => h.startsWith('ce_'))).toEqual([]);
      const bySdk = records.map(decodeWithSdk);
      const ours = records.map(fromKafkaRecord);
      expect(bySdk.map((e) => [e.id, e.subject, e.data, e['tenant']])).toEqual(
        envelopes.map((e) => [e.id, e.stream, e.data, e.metadata['tenant']]),
      );
      expect(ours.map((e) => [e.id, e.subject, e.data])).toEqual(
        envelopes.map((e) => [e.id, e.stream, e.data]),
      );
    });
  });

  describe('given your own producer and a topic function that splits a stream over two topics', () => {
    const topics = [uniqueStream('odd'), uniqueStream('even')];
    let producer: Producer;
    let sends: string[][];

    beforeAll(async () => {
      await createTopics(
        kafka,
        topics.map((topic) => ({ topic })),
      );
      producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      sends = [];
      const sendBatch = producer.sendBatch.bind(producer);
      producer.sendBatch = (batch) => {
        sends.push((batch.topicMessages ?? []).map((t) => t.topic));
        return sendBatch(batch);
      };
    });
    afterAll(() => producer.disconnect());

    it('when published, then one request carries both topics, each event’s receipt names its topic and offset, and close() leaves the producer connected', async () => {
      const publisher = kafkaPublisher({
        producer,
        topic: (e) => topics[e.generation % 2 === 1 ? 0 : 1] as string,
      });
      const stream = uniqueStream('hero');
      const envelopes = await sampleEnvelopes(stream, 5);
      const receipt = await send(publisher, envelopes);
      await publisher.close();

      expect(sends).toEqual([topics]);
      expect(receipt.events.map((e) => [e.id, e.position['topic']])).toEqual(
        envelopes.map((e) => [e.id, topics[e.generation % 2 === 1 ? 0 : 1]]),
      );
      expect(
        receipt.events
          .filter((e) => e.position['topic'] === topics[0])
          .map((e) => e.position['offset']),
      ).toEqual(['0', '1', '2']);
      await expect(
        producer.send({ topic: topics[0] as string, messages: [{ value: 'still mine' }] }),
      ).resolves.toHaveLength(1);
    });

    it('when one of the two topics does not exist, then KafkaPublishError KAFKA_UNKNOWN_TOPIC names both (Kafka does not say which)', async () => {
      const missing = uniqueStream('missing');
      const strict = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry: { retries: 1, initialRetryTime: 100 },
      });
      await strict.connect();
      const publisher = kafkaPublisher({
        producer: strict,
        topic: (e) => (e.generation === 1 ? (topics[0] as string) : missing),
      });
      const stream = uniqueStream('hero');
      const envelopes = await sampleEnvelopes(stream, 3);
      const error = await send(publisher, envelopes).catch((e: unknown) => e);
      await strict.disconnect();

      expect(error).toBeInstanceOf(KafkaPublishError);
      expect(error).toMatchObject({
        code: 'KAFKA_UNKNOWN_TOPIC',
        retriable: false,
        topics: [topics[0], missing],
        stream,
      });
      expect((error as Error).message).toContain(missing);
    });
  });
});
