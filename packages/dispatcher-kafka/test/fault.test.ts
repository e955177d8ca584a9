import { EventfanError } from '@eventfan/core';
import {
  acquireBrokerOrSkip,
  isMissing,
  kafkaBroker,
  sampleEnvelopes,
  uniqueStream,
  type Broker,
} from '@eventfan/testing';
import { logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaPublisher } from '../src/index.js';
import { createTopics, testKafka } from './kafka.js';
import { publishStream, untilLogged, type Attempt } from './stream-publisher.js';
import { TopicReader } from './topic-reader.js';

const STREAMS = 6;
const EVENTS_PER_STREAM = 30;
const TOPIC = 'fault';

describe('kafkaPublisher when Kafka stops and restarts mid-run', () => {
  let broker: Broker | undefined;
  let skipped = '';

  beforeAll(async () => {
    const got = await acquireBrokerOrSkip(kafkaBroker, { ownProcess: true });
    if (isMissing(got)) skipped = got.missing;
    else broker = got;
  });
  afterAll(() => broker?.dispose());

  it('given events flowing, when the broker goes down and comes back, then acknowledged events are there exactly once and failed ones were reported and retried, never lost', async (context) => {
    if (!broker) return context.skip(skipped);
    const kafka = testKafka(broker.url);
    await createTopics(kafka, [{ topic: TOPIC, numPartitions: 3 }]);
    const publisher = kafkaPublisher({
      kafka: {
        brokers: [broker.url],
        logLevel: logLevel.NOTHING,
        connectionTimeout: 500,
        requestTimeout: 2_000,
        // kafkajs gives up before the publisher's deadline, so no send lingers behind a failure.
        retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
      },
      topic: () => TOPIC,
      timeoutMs: 8_000,
    });
    const streams = Array.from({ length: STREAMS }, () => uniqueStream('fault'));
    const plan = await Promise.all(streams.map((s) => sampleEnvelopes(s, EVENTS_PER_STREAM)));
    const log: Attempt[] = [];
    const deadline = Date.now() + 90_000;
    const publishing = Promise.all(
      plan.map((envelopes) => publishStream(publisher, envelopes, log, deadline)),
    );

    // Let a third of the events through, then stop the broker under load and bring it back.
    const total = STREAMS * EVENTS_PER_STREAM;
    await untilLogged(log, 'acknowledged', total / 3);
    await broker.control?.stop();
    const failuresBefore = log.filter((a) => a.outcome === 'failed').length;
    await untilLogged(log, 'failed', failuresBefore + STREAMS);
    await broker.control?.start();
    await publishing;
    await publisher.close();

    const reader = await TopicReader.start(kafka, [TOPIC]);
    const records = await reader.all(TOPIC);
    await reader.stop();
    const stored = records.map((r) => String(r.headers['ce_id']));
    const count = (id: string) => stored.filter((s) => s === id).length;
    const failed = log.filter((a) => a.outcome === 'failed');
    const acknowledged = log.filter((a) => a.outcome === 'acknowledged');

    // The outage was felt, and every failure was a typed eventfan error, not a silent loss.
    expect(failed.length).toBeGreaterThanOrEqual(STREAMS);
    for (const { error } of failed) expect(error).toBeInstanceOf(EventfanError);
    // Every event was acknowledged in the end, and is stored.
    expect(acknowledged).toHaveLength(total);
    for (const { id } of acknowledged) expect(count(id)).toBeGreaterThanOrEqual(1);
    // Events acknowledged on their first try are there exactly once; only an event whose
    // dispatch failed may appear twice (the failed send may have landed), for consumers to dedupe.
    const retriedIds = new Set(failed.map((a) => a.id));
    for (const { id } of acknowledged.filter((a) => !retriedIds.has(a.id)))
      expect(count(id)).toBe(1);
    // After dropping duplicates by CloudEvent id, each stream is complete and in order.
    for (const envelopes of plan) {
      const stream = envelopes[0]?.stream;
      const firstSeen = [
        ...new Set(records.filter((r) => r.key === stream).map((r) => String(r.headers['ce_id']))),
      ];
      expect(firstSeen).toEqual(envelopes.map((e) => e.id));
    }
  }, 150_000);
});
