// The Kafka publisher behind commandHandler: what its pre-flight refuses is never stored, and the
// handler's idempotency holds with Kafka as the target — which keeps a re-sent event (same id).
import {
  commandHandler,
  defineAggregate,
  InMemoryEventStore,
  InvalidEvent,
  OperationAborted,
  TargetClosed,
} from '@eventfan/core';
import { Conformance, ConformanceEvent, uniqueStream } from '@eventfan/testing';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kafkaPublisher } from '../src/index.js';
import { createTopics, testKafka } from './kafka.js';
import { TopicReader } from './topic-reader.js';

/** One command, `count` events of `bytes` characters each, on the conformance topic. */
const Burst = defineAggregate<
  { n: number },
  { type: 'Burst'; count: number; bytes: number },
  ReturnType<typeof ConformanceEvent.event<'Ticked'>>
>({
  name: 'conformance',
  events: ConformanceEvent,
  initialState: () => ({ n: 0 }),
  handle: {
    Burst: (_state, { count, bytes }) =>
      Array.from({ length: count }, (_, n) =>
        ConformanceEvent.event('Ticked', {
          n,
          text: 'x'.repeat(bytes),
          nested: { ok: true, list: [] },
        }),
      ),
  },
  apply: { Ticked: (state) => ({ n: state.n + 1 }) },
});

describeWithBroker('kafka', 'commandHandler with the Kafka publisher', (broker) => {
  let reader: TopicReader;
  beforeAll(async () => {
    const kafka = testKafka(broker.url);
    await createTopics(kafka, [{ topic: 'conformance', numPartitions: 3 }]);
    reader = await TopicReader.start(kafka, ['conformance']);
  });
  afterAll(() => reader?.stop());

  /** A handler over a fresh store and a Kafka publisher named `kafka` (default limits). */
  function setup() {
    const store = new InMemoryEventStore();
    const publisher = kafkaPublisher({
      kafka: { brokers: broker.url.split(','), logLevel: logLevel.NOTHING },
    });
    const handler = commandHandler({ aggregate: Conformance, store, publishers: [publisher] });
    return { store, publisher, handler };
  }
  /** The event ids Kafka holds for instance `id`, read by an independent consumer. */
  const published = async (id: string, atLeast: number) =>
    (await reader.byKey(Conformance.streamOf(id), atLeast, atLeast === 0 ? 1_000 : undefined)).map(
      (r) => String(r.headers['ce_id']),
    );

  it('given an event of 1.02 MB, over the 1,000,000-byte limit, when handled, then InvalidEvent names target "kafka", nothing is stored and nothing published', async () => {
    const { store, publisher, handler } = setup();
    const id = uniqueStream('big');
    const attempt = handler.handle(id, { type: 'Tick', n: 1, padding: 1_020_000 });
    await expect(attempt).rejects.toThrow(InvalidEvent);
    await expect(attempt).rejects.toMatchObject({ where: { target: 'kafka', generation: 1 } });
    await expect(attempt).rejects.toThrow(/over the 1000000-byte limit/);
    expect(store.size).toBe(0);
    await publisher.close();
    expect(await published(id, 0).catch(() => [])).toEqual([]);
  });

  it('given 1,500 events of 1 KB in one command, when handled, then their batch over the limit is InvalidEvent naming "kafka" and nothing is stored', async () => {
    const store = new InMemoryEventStore();
    const publisher = kafkaPublisher({
      kafka: { brokers: broker.url.split(','), logLevel: logLevel.NOTHING },
    });
    const handler = commandHandler({ aggregate: Burst, store, publishers: [publisher] });
    const attempt = handler.handle(uniqueStream('burst'), {
      type: 'Burst',
      count: 1_500,
      bytes: 1_000,
    });
    await expect(attempt).rejects.toThrow(InvalidEvent);
    await expect(attempt).rejects.toMatchObject({ where: { target: 'kafka' } });
    await expect(attempt).rejects.toThrow(/events of this batch for topic "conformance" total/);
    expect(store.size).toBe(0);
    await publisher.close();
  });

  it('given a closed publisher, when handled, then TargetClosed and nothing is stored', async () => {
    const { store, publisher, handler } = setup();
    await publisher.close();
    await expect(handler.handle(uniqueStream('closed'), { type: 'Tick', n: 1 })).rejects.toThrow(
      TargetClosed,
    );
    expect(store.size).toBe(0);
  });

  it('given an already-aborted signal, when handled, then OperationAborted, nothing stored and nothing published', async () => {
    const { store, publisher, handler } = setup();
    const id = uniqueStream('aborted');
    const signal = AbortSignal.abort(new Error('caller gave up'));
    const attempt = handler.handle(id, { type: 'Tick', n: 1 }, { signal });
    await expect(attempt).rejects.toThrow(OperationAborted);
    expect(store.size).toBe(0);
    await publisher.close();
    expect(await published(id, 0).catch(() => [])).toEqual([]);
  });

  it('given the same commandId twice, when handled, then the store says duplicate and the Kafka topic holds the event twice with one id (consumers dedupe on ce_id)', async () => {
    const { store, publisher, handler } = setup();
    const id = uniqueStream('twice');
    const first = await handler.handle(id, { type: 'Tick', n: 1 }, { commandId: `c-${id}` });
    const again = await handler.handle(id, { type: 'Tick', n: 1 }, { commandId: `c-${id}` });
    await publisher.close();
    expect([first.duplicate, again.duplicate]).toEqual([false, true]);
    expect(again.receipts.map((r) => [r.target, r.events.map((e) => e.duplicate)])).toEqual([
      ['memory', [true]],
      ['kafka', [false]], // Kafka cannot tell: it keeps the re-send
    ]);
    expect(store.size).toBe(1);
    const ids = first.envelopes.map((e) => e.id);
    expect(await published(id, 2)).toEqual([...ids, ...ids]);
  });
});
