import type { Envelope } from '@eventfan/core';
import { sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import { KafkaJSProtocolError, type Producer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { RequestCoalescer } from './coalescer.js';
import { KafkaPublishError } from './errors.js';
import { acknowledge, fakeProducer, type Answer } from './fake-producer.fixture.js';
import { settings } from './options.js';
import { prepareBatch, type KafkaPrepared } from './prepare.js';
import { givenProducer, ownedProducer, type ProducerSlot } from './producer-slot.js';

const topicOf = (e: Envelope) => (e.stream.startsWith('bad') ? 'bad' : 'good');
const config = settings({ producer: {} as Producer, topic: topicOf });
const prepared = async (stream: string) =>
  prepareBatch(await sampleEnvelopes(stream, 1), config, false);
/** A coalescer on `slot`, whose receipts name no partitions. */
const coalescerOn = (slot: ProducerSlot, settings = config) =>
  new RequestCoalescer({ settings, slot, partitionOf: () => undefined });
const topicsSent = (batch: { topicMessages?: { topic: string; messages: unknown[] }[] }) =>
  (batch.topicMessages ?? []).map((t) => `${t.topic}×${t.messages.length}`);

/** While `denied.now`, refuses any request with a record for topic "bad", as Kafka would: one error, no topic. */
function refusingBad(denied: { now: boolean }): Answer {
  return async (batch) => {
    if (!denied.now || !batch.topicMessages?.some((t) => t.topic === 'bad')) {
      return acknowledge()(batch);
    }
    const error = new KafkaJSProtocolError({
      message: 'Not authorized to access topics',
      type: 'TOPIC_AUTHORIZATION_FAILED',
      retriable: false,
    } as unknown as Error);
    throw error; // as kafkajs's retrier bails out with it
  };
}

describe('RequestCoalescer', () => {
  it('given concurrent publishes, when a request is in flight, then the next ones leave together as one sendBatch over their topics', async () => {
    const { producer, batches } = fakeProducer(acknowledge(20));
    const coalescer = coalescerOn(givenProducer(producer));
    // A topic goes into a shared request once a request to it succeeded: prove both first.
    await Promise.all([coalescer.send(await prepared(uniqueStream('good')))]);
    await coalescer.send(await prepared(uniqueStream('bad')));
    const streams = ['good', 'bad', 'good', 'good'].map((p) => uniqueStream(p));
    const all = await Promise.all(streams.map(prepared));
    const positions = await Promise.all(all.map((p) => coalescer.send(p)));
    expect(batches.slice(2).map(topicsSent)).toEqual([['good×3', 'bad×1']]);
    expect(batches[2]).toMatchObject({ acks: -1 });
    expect(positions.map((p) => p.map((x) => x.topic))).toEqual([
      ['good'],
      ['bad'],
      ['good'],
      ['good'],
    ]);
  });

  it('given an idle publisher, when a publish is handed over, then its request leaves at the end of the synchronous run, not a loop turn later', async () => {
    const { producer, batches } = fakeProducer();
    const coalescer = coalescerOn(givenProducer(producer));
    const sending = coalescer.send(await prepared(uniqueStream('good')));
    expect(batches).toHaveLength(0); // what the caller hands over next in this run may still join
    await Promise.resolve();
    expect(batches).toHaveLength(1);
    await sending;
  });

  it('given a request that answered several publishes, when each hands over its next one, then those leave together', async () => {
    const { producer, batches } = fakeProducer();
    const coalescer = coalescerOn(givenProducer(producer));
    await coalescer.send(await prepared(uniqueStream('good')));
    const streams = ['good', 'good', 'good'].map((p) => uniqueStream(p));
    const [firsts, seconds] = await Promise.all([
      Promise.all(streams.map(prepared)),
      Promise.all(streams.map(prepared)),
    ]);
    // Each lane's next command takes its own number of awaits (load, decide, append) to publish.
    const awaits = async (n: number) => {
      for (let i = 0; i < n; i++) await Promise.resolve();
    };
    await Promise.all(
      streams.map(async (_, i) => {
        await coalescer.send(firsts[i] as KafkaPrepared);
        await awaits(5 * i);
        await coalescer.send(seconds[i] as KafkaPrepared);
      }),
    );
    expect(batches.slice(1).map(topicsSent)).toEqual([['good×3'], ['good×3']]);
  });

  it('given a shared request refused for one topic, when Kafka does not say which, then each goes again alone on a new producer and only the refused one fails', async () => {
    const built: ReturnType<typeof fakeProducer>[] = [];
    const denied = { now: false };
    const slot = ownedProducer(() => {
      const fake = fakeProducer(refusingBad(denied));
      built.push(fake);
      return fake.producer;
    });
    const coalescer = coalescerOn(slot);
    // Both topics proven writable; then "bad" is denied (an ACL changed), and poisons a shared request.
    await coalescer.send(await prepared(uniqueStream('good')));
    await coalescer.send(await prepared(uniqueStream('bad')));
    denied.now = true;

    const streams = ['good', 'bad', 'good'].map((p) => uniqueStream(p));
    const outcomes = await Promise.allSettled(
      (await Promise.all(streams.map(prepared))).map((p) => coalescer.send(p)),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const refused = (outcomes[1] as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(KafkaPublishError);
    expect(refused).toMatchObject({
      code: 'KAFKA_NOT_AUTHORIZED',
      topics: ['bad'],
      stream: streams[1],
    });
    // The shared request's producer was retired (other partitions may have been written).
    expect(built.length).toBe(2);
    const second = built[1] as ReturnType<typeof fakeProducer>;
    expect(second.batches.map(topicsSent)).toEqual([['good×1'], ['bad×1'], ['good×1']]);
  });

  it('given a publish whose deadline passes while it waits, when its turn comes, then it is never sent', async () => {
    const { producer, batches } = fakeProducer(() => new Promise(() => {}));
    const coalescer = coalescerOn(givenProducer(producer), { ...config, timeoutMs: 50 });
    const hung = coalescer.send(await prepared(uniqueStream('good')));
    const waiting = coalescer.send(await prepared(uniqueStream('good')));
    await expect(hung).rejects.toMatchObject({ code: 'BROKER_TIMEOUT' });
    await expect(waiting).rejects.toMatchObject({ code: 'BROKER_TIMEOUT' });
    expect(batches).toHaveLength(1);
  });
});
