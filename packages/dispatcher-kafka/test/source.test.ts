import { fromKafkaRecord, toEnvelope } from '@eventfan/cloudevents';
import { subscribe, type Envelope, type Subscription } from '@eventfan/core';
import { ConformanceEvent, sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import { describeWithBroker } from '@eventfan/testing/vitest';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kafkaSource, type KafkaSourceWithKafka } from '../src/source/index.js';
import { testKafka } from './kafka.js';
import { committed, freshTopic, publish, range, until } from './source/support.js';
import { TopicReader } from './topic-reader.js';

type Seen = { stream: string; generation: number; id: string };

describeWithBroker('kafka', 'kafkaSource (consumer group)', (broker) => {
  let kafka: Kafka;
  let producer: Producer;
  let admin: Admin;
  const running: Subscription[] = [];

  beforeAll(async () => {
    kafka = testKafka(broker.url);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });
  afterAll(async () => {
    await Promise.all([producer?.disconnect(), admin?.disconnect()]);
  });

  /** A subscription from the beginning of `topic` on its own group, recording what it handled. */
  function subscribed(
    source: Pick<KafkaSourceWithKafka, 'groupId' | 'topics' | 'batchSize'>,
    handler: (envelope: Envelope) => Promise<void> | void = () => {},
  ) {
    const seen: Seen[] = [];
    const subscription = subscribe({
      source: kafkaSource({
        kafka,
        fromBeginning: true,
        consumerConfig: { maxWaitTimeInMs: 100 },
        ...source,
      }),
      events: ConformanceEvent,
      retry: { retries: 2, minTimeoutMs: 5, maxTimeoutMs: 10 },
      handler: async (_event, envelope) => {
        await handler(envelope);
        seen.push({ stream: envelope.stream, generation: envelope.generation, id: envelope.id });
      },
    });
    running.push(subscription);
    return { seen, subscription };
  }

  async function streamsOf(count: number, events: number): Promise<Envelope[][]> {
    return Promise.all(range(count).map(() => sampleEnvelopes(uniqueStream('src'), events)));
  }

  const generationsOf = (seen: Seen[], stream: string) =>
    seen.filter((s) => s.stream === stream).map((s) => s.generation);

  it('given several streams on a 3-partition topic, binary and structured, then the handler gets every event once, in order per stream, and lag comes to 0', async () => {
    const { topic, groupId } = await freshTopic(kafka, 'order');
    const streams = await streamsOf(8, 25);
    for (const [i, envelopes] of streams.entries())
      await publish(producer, topic, envelopes, i % 2 ? 'structured' : 'binary');
    const { seen, subscription } = subscribed({ groupId, topics: [topic], batchSize: 7 });

    await until(() => seen.length >= 200);
    expect(new Set(seen.map((s) => s.id)).size).toBe(200);
    for (const envelopes of streams) {
      expect(generationsOf(seen, (envelopes[0] as Envelope).stream)).toEqual(range(25));
    }
    await until(async () => (await subscription.status()).lag === 0);
    expect(await subscription.status()).toMatchObject({
      source: `kafka:${groupId}`,
      state: 'running',
      handled: 200,
      duplicates: 0,
    });
  });

  it('given a topic holding every event twice (published twice), then the handler sees each once: the sequence marks drop the repeats', async () => {
    const { topic, groupId } = await freshTopic(kafka, 'dupes');
    const streams = await streamsOf(4, 20);
    for (const envelopes of streams) await publish(producer, topic, envelopes);
    for (const envelopes of streams) await publish(producer, topic, envelopes);
    const { seen, subscription } = subscribed({ groupId, topics: [topic] });

    await until(async () => (await subscription.status()).lag === 0);
    await until(async () => (await subscription.status()).duplicates === 80);
    expect(seen).toHaveLength(80);
    expect(new Set(seen.map((s) => s.id)).size).toBe(80);
    for (const envelopes of streams) {
      expect(generationsOf(seen, (envelopes[0] as Envelope).stream)).toEqual(range(20));
    }
  });

  it('given a handler that keeps failing on one event, then it is retried, parked to the dead-letter topic with the reason and its position, and the next events still flow', async () => {
    const { topic, deadLetters, groupId } = await freshTopic(kafka, 'poison');
    const [envelopes] = await streamsOf(1, 5);
    const poison = (envelopes as Envelope[])[2] as Envelope;
    await publish(producer, topic, envelopes as Envelope[]);
    let calls = 0;
    const { seen, subscription } = subscribed({ groupId, topics: [topic] }, (envelope) => {
      if (envelope.id !== poison.id) return;
      calls++;
      throw new Error('projection database down');
    });

    await until(() => seen.length === 4);
    expect(seen.map((s) => s.generation)).toEqual([1, 2, 4, 5]);
    expect(calls).toBe(3);
    const reader = await TopicReader.start(kafka, [deadLetters]);
    const [parked] = await reader.all(deadLetters);
    await reader.stop();
    expect(parked).toBeDefined();
    const headers = parked?.headers ?? {};
    expect(String(headers['eventfan-reason'])).toBe(
      'the handler failed 3 times: projection database down',
    );
    expect(String(headers['eventfan-position'])).toMatch(new RegExp(`^${topic}/\\d@2$`));
    expect(String(headers['eventfan-group'])).toBe(groupId);
    // The record as it came: it still decodes to the same CloudEvent.
    expect(toEnvelope(fromKafkaRecord({ value: parked?.value ?? null, headers }))).toMatchObject({
      id: poison.id,
      stream: poison.stream,
      generation: 3,
    });
    expect(parked?.key).toBe(poison.stream);
    await until(async () => (await subscription.status()).lag === 0);
    expect(await subscription.status()).toMatchObject({ handled: 4, parked: 1 });
  });

  it('given records that are not eventfan CloudEvents (plain JSON, specversion 0.3, no id), then each is parked with why, between valid events that flow', async () => {
    const { topic, deadLetters, groupId } = await freshTopic(kafka, 'garbage');
    const [envelopes] = await streamsOf(1, 2);
    const [first, second] = envelopes as [Envelope, Envelope];
    const key = first.stream;
    const ce = { ce_source: 'events://x', ce_type: 't', 'content-type': 'application/json' };
    await publish(producer, topic, [first]);
    await producer.send({
      topic,
      messages: [
        { key, value: JSON.stringify({ hello: 'world' }) },
        { key, value: '{}', headers: { ...ce, ce_specversion: '0.3', ce_id: 'a' } },
        { key, value: '{}', headers: { ...ce, ce_specversion: '1.0' } },
      ],
    });
    await publish(producer, topic, [second]);
    const { seen, subscription } = subscribed({ groupId, topics: [topic] });

    await until(() => seen.length === 2);
    const reader = await TopicReader.start(kafka, [deadLetters]);
    await until(() => reader.records.length === 3);
    await reader.stop();
    const reasons = reader.records.map((r) => String(r.headers['eventfan-reason']));
    expect(reasons).toEqual([
      expect.stringMatching(/no "ce_" headers/),
      expect.stringMatching(/specversion/),
      expect.stringMatching(/\bid\b/),
    ]);
    expect(reader.records.map((r) => r.value?.toString())).toEqual([
      '{"hello":"world"}',
      '{}',
      '{}',
    ]);
    expect(await subscription.status()).toMatchObject({ handled: 2, parked: 3 });
  });

  it('given a graceful stop mid-stream, then what was handled is committed, nothing more, and the next run on the group goes on from there', async () => {
    const { topic, groupId } = await freshTopic(kafka, 'stop');
    const streams = await streamsOf(3, 100);
    for (const envelopes of streams) await publish(producer, topic, envelopes);
    const slow = () => new Promise<void>((resolve) => setTimeout(resolve, 2));
    const first = subscribed({ groupId, topics: [topic], batchSize: 10 }, slow);
    await until(() => first.seen.length >= 100);
    await first.subscription.stop();
    const handledFirst = first.seen.length;
    expect(handledFirst).toBeLessThan(300);
    expect(await committed(admin, groupId, topic)).toBe(handledFirst);
    expect(await first.subscription.status()).toMatchObject({ state: 'stopped' });

    const second = subscribed({ groupId, topics: [topic] });
    await until(() => handledFirst + second.seen.length >= 300);
    await until(async () => (await second.subscription.status()).lag === 0);
    const all = [...first.seen, ...second.seen];
    expect(new Set(all.map((s) => s.id)).size).toBe(300);
    expect(all).toHaveLength(300); // nothing handled twice, though the marks were not kept
    for (const envelopes of streams) {
      expect(generationsOf(all, (envelopes[0] as Envelope).stream)).toEqual(range(100));
    }
  });

  it('given a deliver that rejects, then the run rejects with its error and commits nothing; lag counts the records not committed', async () => {
    const { topic, groupId } = await freshTopic(kafka, 'reject');
    const [envelopes] = await streamsOf(1, 6);
    await publish(producer, topic, envelopes as Envelope[]);
    const source = kafkaSource({ kafka, groupId, topics: [topic], fromBeginning: true });
    expect(await source.lag()).toBe(6);
    const failure = new Error('the projection store is gone');
    const delivered: string[] = [];
    await expect(
      source.run(async (batch) => {
        delivered.push(...batch.map((b) => b.position));
        throw failure;
      }, new AbortController().signal),
    ).rejects.toBe(failure);
    expect(delivered[0]).toMatch(new RegExp(`^${topic}/\\d@0$`));
    expect(await committed(admin, groupId, topic)).toBe(0);
    expect(await source.lag()).toBe(6);
    await source.close();
    await expect(source.run(async () => {}, new AbortController().signal)).rejects.toThrow(
      /is closed/,
    );
  });

  it('given a handler slower than the session timeout, then heartbeats keep the member in the group: one join, nothing read twice', async () => {
    const { topic, groupId } = await freshTopic(kafka, 'slow');
    const [envelopes] = await streamsOf(1, 4);
    await publish(producer, topic, envelopes as Envelope[]);
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: 6_000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    let joins = 0;
    consumer.on(consumer.events.GROUP_JOIN, () => void joins++);
    const seen: number[] = [];
    const subscription = subscribe({
      source: kafkaSource({ consumer, groupId, topics: [topic], fromBeginning: true }),
      events: ConformanceEvent,
      handler: async (_event, envelope) => {
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        seen.push(envelope.generation);
      },
    });
    running.push(subscription);
    // The four events are one slice: 10 s out, past the 6 s session timeout.
    await until(() => seen.length === 4, 30_000);
    await until(async () => (await committed(admin, groupId, topic)) === 4);
    await subscription.stop();
    await consumer.disconnect();
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(joins).toBe(1);
    expect(await subscription.status()).toMatchObject({ handled: 4, duplicates: 0 });
  }, 40_000);

  it('given your own consumer, producer and admin, then it runs and parks on them and leaves them connected', async () => {
    const { topic, deadLetters, groupId } = await freshTopic(kafka, 'own');
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await consumer.connect();
    const envelope = { ...((await streamsOf(1, 1))[0]?.[0] as Envelope), type: 'nope.nothing' };
    await publish(producer, topic, [envelope]);
    const subscription = subscribe({
      source: kafkaSource({
        consumer,
        producer,
        admin,
        groupId,
        topics: [topic],
        fromBeginning: true,
      }),
      events: ConformanceEvent,
      onUnknown: 'park',
      handler: () => {},
    });
    await until(async () => (await subscription.status()).parked === 1);
    expect((await subscription.status()).lag).toBe(0);
    await subscription.stop();
    // Still connected: the group is there to describe, and the producer still sends.
    expect((await consumer.describeGroup()).groupId).toBe(groupId);
    await publish(producer, topic, [{ ...envelope, generation: 2 }]);
    await consumer.disconnect();
    const reader = await TopicReader.start(kafka, [deadLetters]);
    const [parked] = await reader.all(deadLetters);
    await reader.stop();
    expect(String(parked?.headers['eventfan-reason'])).toMatch(/no event of type "nope.nothing"/);
  });
});

describe('kafkaSource options', () => {
  const kafka = { brokers: ['127.0.0.1:1'] };

  it('refuses a source that would read back its own dead letters, no group or no topics', () => {
    expect(() =>
      kafkaSource({ kafka, groupId: 'g', topics: ['a', 'dl'], deadLetterTopic: 'dl' }),
    ).toThrow(/read back its own dead letters: "dl"/);
    expect(() => kafkaSource({ kafka, groupId: 'g', topics: ['a', 'a.deadletter'] })).toThrow(
      /"a.deadletter" is one of its topics/,
    );
    expect(() => kafkaSource({ kafka, groupId: '', topics: ['a'] })).toThrow(/groupId/);
    expect(() => kafkaSource({ kafka, groupId: 'g', topics: [] })).toThrow(/topics/);
    expect(() => kafkaSource({ kafka, groupId: 'g', topics: ['a'], batchSize: 0 })).toThrow(
      /batchSize/,
    );
  });

  it('names itself after the group and parks to <topic>.deadletter by default', () => {
    const source = kafkaSource({ kafka, groupId: 'projection', topics: ['combat'] });
    expect(source.name).toBe('kafka:projection');
    expect(source.deadLetterTopicOf('combat')).toBe('combat.deadletter');
  });
});
