import { type Envelope } from '@eventfan/core';
import { sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { connect, headers, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  NatsPublishError,
  natsPublisher,
  subjectToken,
  type NatsConnection as PublisherConnection,
  type NatsPublisherOptions,
} from '../src/index.js';
import { decodeWithSdk, readSubject, send, uniqueNames } from './support.js';

/** JetStream takes messages of at most this many bytes on this file's stream. */
const MAX_MSG_SIZE = 2_048;

describeWithBroker('nats', 'coalesced JetStream publishing', (broker) => {
  const names = uniqueNames('co');
  let nc: NatsConnection;
  const subjectOf = (stream: string) => `${names.prefix}.conformance.${subjectToken(stream)}`;
  const storedGenerations = async (stream: string, atLeast: number) =>
    (await readSubject(nc, names.stream, subjectOf(stream), atLeast)).map((m) =>
      Number(decodeWithSdk(m)['sequence']),
    );

  /** The connection, counting the publishes made before the first PubAck came back. */
  function counting(): { connection: PublisherConnection; beforeFirstAck: () => number } {
    const real: PublisherConnection = nc;
    let answers = 0;
    let before = 0;
    const connection: PublisherConnection = {
      get info() {
        return real.info;
      },
      options: real.options,
      publish: (subject, payload, options) => {
        if (answers === 0) before++;
        real.publish(subject, payload, options);
      },
      subscribe: (subject, options) =>
        real.subscribe(subject, {
          callback: (error, message) => {
            answers++;
            options?.callback?.(error, message);
          },
        }),
      flush: () => real.flush(),
      request: (subject, payload, options) => real.request(subject, payload, options),
      isClosed: () => real.isClosed(),
      status: () => nc.status(),
    };
    return { connection, beforeFirstAck: () => before };
  }

  const publisherOn = (connection: PublisherConnection, more: Partial<NatsPublisherOptions> = {}) =>
    natsPublisher({ connection, headers, prefix: names.prefix, ...more });

  beforeAll(async () => {
    nc = await connect({ servers: broker.url });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({
      name: names.stream,
      subjects: [`${names.prefix}.>`],
      storage: 'memory' as never,
      max_msg_size: MAX_MSG_SIZE,
      duplicate_window: 120_000_000_000,
    });
  });
  afterAll(async () => {
    await nc?.close();
  });

  it('given concurrent dispatches with one JetStream refuses (over max_msg_size) and one no stream captures, when published together, then those two fail alone and the rest get their receipts', async () => {
    const { connection, beforeFirstAck } = counting();
    const lost = uniqueStream('lost');
    const publisher = publisherOn(connection, {
      // One stream's events go where no JetStream stream listens.
      subject: (e) => (e.stream === lost ? `nowhere.${names.stream}.x` : subjectOf(e.stream)),
    });
    const good = Array.from({ length: 8 }, () => uniqueStream('good'));
    const big = uniqueStream('big');
    const batches: Envelope[][] = [
      ...(await Promise.all(good.slice(0, 4).map((s) => sampleEnvelopes(s, 1)))),
      await sampleEnvelopes(big, 1, { padding: MAX_MSG_SIZE }),
      await sampleEnvelopes(lost, 1),
      ...(await Promise.all(good.slice(4).map((s) => sampleEnvelopes(s, 1)))),
    ];
    const outcomes = await Promise.allSettled(batches.map((batch) => send(publisher, batch)));

    expect(beforeFirstAck()).toBe(batches.length); // all of them in one request
    const byStream = new Map(outcomes.map((o, i) => [(batches[i] as Envelope[])[0]?.stream, o]));
    expect(byStream.get(big)).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ code: 'NATS_JETSTREAM_REFUSED', subject: subjectOf(big) }),
    });
    expect((byStream.get(big) as PromiseRejectedResult).reason).toBeInstanceOf(NatsPublishError);
    expect(byStream.get(lost)).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ code: 'NATS_NO_STREAM' }),
    });
    for (const stream of good) {
      const outcome = byStream.get(stream);
      expect(outcome?.status).toBe('fulfilled');
      const receipt = (outcome as PromiseFulfilledResult<Awaited<ReturnType<typeof send>>>).value;
      expect(receipt.events).toHaveLength(1);
      expect(receipt.events[0]).toMatchObject({
        generation: 1,
        duplicate: false,
        position: { stream: names.stream, subject: subjectOf(stream) },
      });
      expect(await storedGenerations(stream, 1)).toEqual([1]);
    }
    await publisher.close();
  });

  it('given several dispatches of one stream in flight at once, when published, then JetStream holds its events in generation order', async () => {
    const publisher = publisherOn(nc);
    const stream = uniqueStream();
    const all = await sampleEnvelopes(stream, 7);
    // 1-3 in one dispatch (sent one after the other), then 4, 5, and 6-7, all handed over at once.
    const batches = [all.slice(0, 3), all.slice(3, 4), all.slice(4, 5), all.slice(5)];
    const receipts = await Promise.all(batches.map((batch) => send(publisher, batch)));
    expect(receipts.flatMap((r) => r.events.map((e) => e.generation))).toEqual([
      1, 2, 3, 4, 5, 6, 7,
    ]);
    expect(await storedGenerations(stream, 7)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const sequences = receipts.flatMap((r) => r.events.map((e) => e.position.sequence));
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
    await publisher.close();
  });

  it('given checkGeneration and dispatches of one stream in flight at once, when published, then each expects the one before it: no false conflict, order kept', async () => {
    const publisher = publisherOn(nc, { checkGeneration: true });
    const stream = uniqueStream();
    const all = await sampleEnvelopes(stream, 4);
    const receipts = await Promise.all(
      [all.slice(0, 2), all.slice(2, 3), all.slice(3)].map((batch) => send(publisher, batch)),
    );
    expect(receipts.flatMap((r) => r.events.map((e) => e.generation))).toEqual([1, 2, 3, 4]);
    expect(await storedGenerations(stream, 4)).toEqual([1, 2, 3, 4]);
    await publisher.close();
  });

  it('given lingerMs, when dispatches arrive within it, then they leave in one request', async () => {
    const { connection, beforeFirstAck } = counting();
    const publisher = publisherOn(connection, { lingerMs: 20 });
    const first = send(publisher, await sampleEnvelopes(uniqueStream(), 1));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = send(publisher, await sampleEnvelopes(uniqueStream(), 1));
    await Promise.all([first, second]);
    expect(beforeFirstAck()).toBe(2);
    await publisher.close();
  });
});
