import {
  BrokerUnavailable,
  ConcurrencyConflict,
  DispatchFailed,
  DispatchIncomplete,
  InMemoryDispatcher,
  InvalidEvent,
  dispatch,
  initial,
  type DispatchContext,
  type Envelope,
} from '@eventfan/core';
import { Conformance, sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { connect, headers, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureStream,
  NatsDispatchError,
  natsDispatcher,
  subjectToken,
  type JetStreamDispatcherOptions,
} from '../src/index.js';
import { decodeWithSdk, expectSameEvent, readSubject, streamFor, uniqueNames } from './support.js';

const context = (stream: string, expectedGeneration = 0, attempt = 1): DispatchContext => ({
  aggregate: 'conformance',
  stream,
  expectedGeneration,
  attempt,
});

describeWithBroker('nats', 'JetStream dispatcher (nats 2.x client)', (broker) => {
  const names = uniqueNames('js');
  let nc: NatsConnection;
  const subjectOf = (stream: string) => `${names.prefix}.conformance.${subjectToken(stream)}`;
  const read = (stream: string, atLeast: number) =>
    readSubject(nc, names.stream, subjectOf(stream), atLeast);
  /** The ids JetStream holds for `stream`, in order, as an independent consumer reads them. */
  const storedIds = async (stream: string, atLeast: number) =>
    (await read(stream, atLeast)).map((m) => decodeWithSdk(m).id);
  /** A JetStream dispatcher on the shared connection, under this file's prefix unless `more` says. */
  const jetstream = (more: Partial<JetStreamDispatcherOptions> = {}) =>
    natsDispatcher({ connection: nc, headers, prefix: names.prefix, ...more });

  beforeAll(async () => {
    nc = await connect({ servers: broker.url });
    await streamFor(nc, names);
  });
  afterAll(async () => {
    await nc?.close();
  });

  describe('binary mode (default)', () => {
    it('given a batch, when dispatched, then JetStream holds each event once, in order, and the CloudEvents SDK reads back every field', async () => {
      const dispatcher = jetstream();
      const stream = uniqueStream();
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const envelopes = (await sampleEnvelopes(stream, 3, { metadata: { tenant: 'acme' } })).map(
        (e) => ({
          ...e,
          metadata: { ...e.metadata, traceparent },
        }),
      );
      const receipt = await dispatcher.dispatch(envelopes, context(stream));

      const messages = await read(stream, 3);
      expect(messages).toHaveLength(3);
      messages.forEach((m, i) => {
        const envelope = envelopes[i] as Envelope;
        expect(m.headers?.get('Nats-Msg-Id')).toBe(envelope.id);
        const event = decodeWithSdk(m);
        expectSameEvent(event, envelope);
        expect(event['traceparent']).toBe(traceparent);
        expect(event['tenant']).toBe('acme');
      });
      expect(receipt.events).toEqual(
        envelopes.map((e, i) => ({
          id: e.id,
          generation: e.generation,
          duplicate: false,
          position: {
            stream: names.stream,
            sequence: messages[i]?.seq,
            subject: subjectOf(stream),
          },
        })),
      );
    });

    it('given a batch already dispatched, when dispatched again with the same ids, then no second message is stored and the receipt says duplicate at the first positions', async () => {
      const dispatcher = jetstream();
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 3);
      const first = await dispatcher.dispatch(envelopes, context(stream));
      const again = await dispatcher.dispatch(envelopes, context(stream, 0, 2));
      expect(again.events.map((e) => e.duplicate)).toEqual([true, true, true]);
      expect(again.events.map((e) => e.position)).toEqual(first.events.map((e) => e.position));
      expect((await read(stream, 3)).map((m) => m.headers?.get('Nats-Msg-Id'))).toEqual(
        envelopes.map((e) => e.id),
      );
    });

    it('given a large batch and a pipelined window, when dispatched, then all events are stored in order', async () => {
      const dispatcher = jetstream({ maxInFlight: 64 });
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 300);
      const receipt = await dispatcher.dispatch(envelopes, context(stream));
      const sequences = receipt.events.map((e) => e.position.sequence);
      expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
      expect(await storedIds(stream, 300)).toEqual(envelopes.map((e) => e.id));
    });
  });

  it('given structured mode, when dispatched, then the payload is one application/cloudevents+json document the SDK reads back', async () => {
    const dispatcher = jetstream({ encoding: 'structured' });
    const stream = uniqueStream();
    const envelopes = await sampleEnvelopes(stream, 2);
    await dispatcher.dispatch(envelopes, context(stream));
    const messages = await read(stream, 2);
    messages.forEach((m, i) => {
      expect(m.headers?.get('content-type')).toBe('application/cloudevents+json');
      expectSameEvent(decodeWithSdk(m), envelopes[i] as Envelope);
    });
  });

  it('given a custom subject function, when dispatched, then events go where it says', async () => {
    const dispatcher = natsDispatcher({
      connection: nc,
      headers,
      subject: (e) => `${names.prefix}.custom.${subjectToken(e.type)}`,
    });
    const stream = uniqueStream();
    const envelopes = await sampleEnvelopes(stream, 1);
    const receipt = await dispatcher.dispatch(envelopes, context(stream));
    const subject = `${names.prefix}.custom.${subjectToken((envelopes[0] as Envelope).type)}`;
    expect(receipt.events[0]?.position.subject).toBe(subject);
    expect(
      (await readSubject(nc, names.stream, subject, 1)).map((m) => decodeWithSdk(m).id),
    ).toContain(envelopes[0]?.id);
  });

  describe('checkGeneration', () => {
    it('given a stale expected generation, when dispatched, then ConcurrencyConflict names expected and actual and nothing is written', async () => {
      const dispatcher = jetstream({ checkGeneration: true });
      const stream = uniqueStream();
      await dispatcher.dispatch(await sampleEnvelopes(stream, 2), context(stream));
      const stale = await sampleEnvelopes(stream, 1, { after: 1, padding: 1 });
      const attempt = dispatcher.dispatch(stale, context(stream, 1));
      await expect(attempt).rejects.toThrow(ConcurrencyConflict);
      await expect(attempt).rejects.toMatchObject({
        stream,
        expectedGeneration: 1,
        actualGeneration: 2,
        target: 'nats',
      });
      expect(await read(stream, 2)).toHaveLength(2);
    });

    it('given another writer appended since this dispatcher last wrote, when dispatched, then JetStream refuses it (wrong last sequence) as a ConcurrencyConflict', async () => {
      const mine = jetstream({ checkGeneration: true });
      const theirs = jetstream({ checkGeneration: true, name: 'other' });
      const stream = uniqueStream();
      await mine.dispatch(await sampleEnvelopes(stream, 2), context(stream));
      await theirs.dispatch(await sampleEnvelopes(stream, 1, { after: 2 }), context(stream, 2));
      const attempt = mine.dispatch(
        await sampleEnvelopes(stream, 1, { after: 2, padding: 3 }),
        context(stream, 2),
      );
      await expect(attempt).rejects.toMatchObject({
        name: 'ConcurrencyConflict',
        expectedGeneration: 2,
        actualGeneration: 3,
      });
      expect(await read(stream, 3)).toHaveLength(3);
    });

    it('given a batch whose first events are already stored, when retried with the old expected generation, then those come back as duplicates and the rest is appended', async () => {
      const dispatcher = jetstream({ checkGeneration: true });
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 4);
      await jetstream().dispatch(envelopes.slice(0, 2), context(stream));
      const receipt = await dispatcher.dispatch(envelopes, context(stream, 0, 2));
      expect(receipt.events.map((e) => e.duplicate)).toEqual([true, true, false, false]);
      expect(await storedIds(stream, 4)).toEqual(envelopes.map((e) => e.id));
    });

    it('given a subject function that splits a stream over subjects, when dispatched with checkGeneration, then InvalidEvent and nothing is sent', async () => {
      const dispatcher = natsDispatcher({
        connection: nc,
        headers,
        checkGeneration: true,
        subject: (e) => `${names.prefix}.split.${e.generation}`,
      });
      const stream = uniqueStream();
      const attempt = dispatcher.dispatch(await sampleEnvelopes(stream, 2), context(stream));
      await expect(attempt).rejects.toThrow(InvalidEvent);
      await expect(attempt).rejects.toThrow(
        /checkGeneration needs every event of a stream on one subject/,
      );
      expect(await readSubject(nc, names.stream, `${names.prefix}.split.1`, 0)).toHaveLength(0);
    });
  });

  describe('errors', () => {
    it('given a subject no stream captures, when dispatched, then NatsDispatchError names the subject, and dispatch() reports DispatchFailed for this target', async () => {
      const dispatcher = jetstream({ prefix: 'nowhere.to.be.found' });
      const stream = uniqueStream();
      const attempt = dispatcher.dispatch(await sampleEnvelopes(stream, 1), context(stream));
      await expect(attempt).rejects.toThrow(NatsDispatchError);
      await expect(attempt).rejects.toMatchObject({
        code: 'NATS_NO_STREAM',
        subject: `nowhere.to.be.found.conformance.${stream}`,
      });
      await expect(attempt).rejects.toThrow(
        `subject "nowhere.to.be.found.conformance.${stream}": no JetStream stream captures`,
      );

      const memory = new InMemoryDispatcher();
      const current = { ...initial(Conformance, 'x'), stream: uniqueStream() };
      const failed = await dispatch(Conformance, current, { type: 'Tick', n: 1 }, [
        dispatcher,
        memory,
      ]).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(DispatchFailed);
      expect((failed as DispatchFailed).message).toMatch(
        /nats: failed: .*nowhere\.to\.be\.found\.conformance\./,
      );
    });

    it('given an event over max_payload, when dispatched, then InvalidEvent says so before anything of the batch is sent', async () => {
      const dispatcher = jetstream();
      const stream = uniqueStream();
      const small = await sampleEnvelopes(stream, 1);
      const big = await sampleEnvelopes(stream, 1, {
        after: 1,
        padding: nc.info?.max_payload ?? 1,
      });
      const attempt = dispatcher.dispatch([...small, ...big], context(stream));
      await expect(attempt).rejects.toThrow(InvalidEvent);
      await expect(attempt).rejects.toThrow(
        /max_payload of 1048576 bytes; nothing of this batch was sent/,
      );
      expect(await read(stream, 0)).toHaveLength(0);
    });

    it('given JetStream refuses an event mid-batch, when dispatched, then DispatchIncomplete lists exactly what was stored and what was not', async () => {
      const limited = uniqueNames('limited');
      await ensureStream(nc, {
        name: limited.stream,
        subjects: [`${limited.prefix}.>`],
        storage: 'memory',
      });
      const jsm = await nc.jetstreamManager();
      const config = (await jsm.streams.info(limited.stream)).config;
      await jsm.streams.update(limited.stream, { ...config, max_msg_size: 2_000 });
      const dispatcher = jetstream({ prefix: limited.prefix });
      const stream = uniqueStream();
      const envelopes = [
        ...(await sampleEnvelopes(stream, 1)),
        ...(await sampleEnvelopes(stream, 1, { after: 1, padding: 4_000 })),
        ...(await sampleEnvelopes(stream, 1, { after: 2 })),
      ];
      const error = await dispatcher.dispatch(envelopes, context(stream)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DispatchIncomplete);
      const incomplete = error as DispatchIncomplete;
      expect(incomplete.delivered).toEqual([{ id: envelopes[0]?.id, generation: 1 }]);
      expect(incomplete.undelivered).toEqual([envelopes[1]?.id, envelopes[2]?.id]);
      expect(incomplete.cause).toMatchObject({ code: 'NATS_JETSTREAM_REFUSED' });
      expect(incomplete.message).toContain('acknowledged 1 of 3 events');
      expect(incomplete.message).toMatch(/message size exceeds maximum allowed/i);
      const stored = await readSubject(
        nc,
        limited.stream,
        `${limited.prefix}.conformance.${stream}`,
        1,
      );
      expect(stored.map((m) => decodeWithSdk(m).id)).toEqual([envelopes[0]?.id]);
    });

    it('given something that takes the message but never acknowledges it, when dispatched, then BrokerUnavailable with code BROKER_TIMEOUT names the subject', async () => {
      const silent = uniqueNames('silent');
      const listener = nc.subscribe(`${silent.prefix}.>`);
      await nc.flush();
      try {
        const dispatcher = jetstream({ prefix: silent.prefix, timeoutMs: 200 });
        const stream = uniqueStream();
        const attempt = dispatcher.dispatch(await sampleEnvelopes(stream, 2), context(stream));
        await expect(attempt).rejects.toThrow(BrokerUnavailable);
        await expect(attempt).rejects.toMatchObject({ code: 'BROKER_TIMEOUT' });
        await expect(attempt).rejects.toThrow(
          `Target "nats" timed out: no acknowledgement for subject "${silent.prefix}.conformance.${stream}" within 200 ms`,
        );
      } finally {
        listener.unsubscribe();
      }
    });

    it('given a closed connection, when dispatched, then BrokerUnavailable names the target and nothing is sent', async () => {
      const own = await connect({ servers: broker.url });
      const dispatcher = jetstream({ connection: own, name: 'nats-closed' });
      await own.close();
      const stream = uniqueStream();
      const attempt = dispatcher.dispatch(await sampleEnvelopes(stream, 1), context(stream));
      await expect(attempt).rejects.toThrow(BrokerUnavailable);
      await expect(attempt).rejects.toThrow('Target "nats-closed" is unavailable');
    });

    it('given bad options, when the dispatcher is made, then a TypeError says which', () => {
      expect(() => natsDispatcher({ connection: nc, headers, prefix: 'events.*' })).toThrow(
        /prefix: subject "events.\*" has a wildcard/,
      );
      expect(() => natsDispatcher({ connection: nc, headers, maxInFlight: 0 })).toThrow(
        /maxInFlight/,
      );
    });
  });
});
