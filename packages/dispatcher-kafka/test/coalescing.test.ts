import type { Receipt } from '@eventfan/core';
import { sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { logLevel, type Kafka } from 'kafkajs';
import { beforeAll, expect, it } from 'vitest';
import { KafkaPublishError, kafkaPublisher, type KafkaPosition } from '../src/index.js';
import { createTopics, send, testKafka } from './kafka.js';
import { loggedProducer } from './request-log.js';
import { TopicReader } from './topic-reader.js';

describeWithBroker('kafka', 'coalesced Kafka publishing', (broker) => {
  let kafka: Kafka;
  beforeAll(() => {
    kafka = testKafka(broker.url);
  });

  it('given publishes handed over together, one to a topic that does not exist, when sent, then that one fails alone and the rest share one request', async () => {
    const topic = uniqueStream('co');
    const missing = uniqueStream('missing');
    await createTopics(kafka, [{ topic }]);
    const { producer, requests } = await loggedProducer(kafka, {
      allowAutoTopicCreation: false,
      retry: { retries: 1, initialRetryTime: 100 },
    });
    const lost = uniqueStream('lost');
    const publisher = kafkaPublisher({
      producer,
      topic: (e) => (e.stream === lost ? missing : topic),
    });
    await send(publisher, await sampleEnvelopes(uniqueStream('warm'), 1));
    const streams = [uniqueStream(), uniqueStream(), lost, uniqueStream(), uniqueStream()];
    const outcomes = await Promise.allSettled(
      (await Promise.all(streams.map((s) => sampleEnvelopes(s, 2)))).map((b) => send(publisher, b)),
    );
    await publisher.close();
    await producer.disconnect();

    expect(outcomes.map((o) => o.status)).toEqual(
      streams.map((s) => (s === lost ? 'rejected' : 'fulfilled')),
    );
    const refused = (outcomes[2] as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(KafkaPublishError);
    expect(refused).toMatchObject({ code: 'KAFKA_UNKNOWN_TOPIC', topic: missing, stream: lost });
    expect(requests).toEqual([[`${topic}×1`], [`${topic}×8`], [`${missing}×2`]]);
    // One partition: offsets follow from the request's base offset, each publish its own.
    const offsets = outcomes
      .filter((o): o is PromiseFulfilledResult<Receipt<KafkaPosition>> => o.status === 'fulfilled')
      .flatMap((o) => o.value.events.map((e) => e.position.offset));
    expect(offsets).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
  });

  it('given 64 streams publishing concurrently, several publishes of a stream in flight at once, when read back, then each stream is in order and every receipt points at its own record', async () => {
    const topic = uniqueStream('wide');
    await createTopics(kafka, [{ topic, numPartitions: 3 }]);
    const publisher = kafkaPublisher({
      kafka: { brokers: broker.url.split(','), logLevel: logLevel.NOTHING },
      topic: () => topic,
    });
    const streams = Array.from({ length: 64 }, () => uniqueStream('s'));
    const plan = await Promise.all(streams.map((s) => sampleEnvelopes(s, 12)));
    const receipts: Receipt<KafkaPosition>[] = [];
    // Each stream: three rounds of 1, 1 and 2 events handed over without waiting, then awaited.
    await Promise.all(
      plan.map(async (events) => {
        for (let at = 0; at < events.length; at += 4) {
          const round = [
            events.slice(at, at + 1),
            events.slice(at + 1, at + 2),
            events.slice(at + 2, at + 4),
          ];
          receipts.push(...(await Promise.all(round.map((b) => send(publisher, b)))));
        }
      }),
    );
    await publisher.close();
    const reader = await TopicReader.start(kafka, [topic]);
    const records = await reader.all(topic);
    await reader.stop();

    expect(records).toHaveLength(64 * 12);
    const idOf = (r: (typeof records)[number]) => String(r.headers['ce_id']);
    for (const events of plan) {
      const mine = records
        .filter((r) => r.key === events[0]?.stream)
        .sort((a, b) => (a.offset < b.offset ? -1 : 1));
      expect(mine.map(idOf)).toEqual(events.map((e) => e.id));
    }
    const at = new Map(records.map((r) => [`${r.partition}@${r.offset}`, idOf(r)]));
    const misplaced = receipts
      .flatMap((r) => r.events)
      .filter((e) => at.get(`${e.position.partition}@${e.position.offset}`) !== e.id);
    expect(misplaced).toEqual([]);
  }, 60_000);
});
