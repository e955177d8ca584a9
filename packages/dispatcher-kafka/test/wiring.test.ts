// The README's wiring, run against the test broker: persist to a store and publish to Kafka from
// one aggregate (here the conformance suite's), then read it back as a consumer would.
import { fromKafkaRecord } from '@eventfan/cloudevents';
import { InMemoryEventStore, dispatch, load, persistTo } from '@eventfan/core';
import { Conformance } from '@eventfan/testing';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { logLevel } from 'kafkajs';
import { expect, it } from 'vitest';
import { kafkaDispatcher } from '../src/index.js';
import { testKafka } from './kafka.js';
import { TopicReader } from './topic-reader.js';

describeWithBroker('kafka', 'README wiring example', (broker) => {
  it('given a store and a Kafka dispatcher, when a command is dispatched, then the event is stored and published to the aggregate’s topic keyed by stream', async () => {
    const store = new InMemoryEventStore();
    const kafka = kafkaDispatcher({
      kafka: {
        clientId: 'combat-service',
        brokers: broker.url.split(','),
        logLevel: logLevel.WARN,
      },
    });
    const targets = [persistTo(store), kafka];

    const current = await load(Conformance, store, `wiring${Date.now().toString(36)}`);
    const { state, envelopes, receipts } = await dispatch(
      Conformance,
      current,
      { type: 'Tick', n: 7 },
      targets,
    );
    await kafka.close();

    expect(state.generation).toBe(1);
    const published = receipts.find((r) => r.target === 'kafka');
    expect(published?.events[0]?.position).toMatchObject({ topic: 'conformance' });
    const reader = await TopicReader.start(testKafka(broker.url), ['conformance']);
    const [record] = await reader.byKey(current.stream, 1);
    await reader.stop();
    expect(record && fromKafkaRecord(record)).toMatchObject({
      id: envelopes[0]?.id,
      subject: current.stream,
      data: envelopes[0]?.data,
    });
  });
});
