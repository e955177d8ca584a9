import {
  BrokerUnavailable,
  ConcurrencyConflict,
  DispatchFailed,
  DispatchIncomplete,
  InMemoryEventStore,
  InMemoryPublisher,
  InvalidEvent,
  OperationAborted,
  TargetClosed,
  commandHandler,
  type Envelope,
} from '@eventfan/core';
import { Conformance, sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { connect, headers, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureStream,
  NatsPublishError,
  natsPublisher,
  subjectToken,
  type NatsPublisherOptions,
} from '../src/index.js';
import {
  decodeWithSdk,
  expectSameEvent,
  readSubject,
  refusal,
  send,
  streamFor,
  uniqueNames,
} from './support.js';

describeWithBroker('nats', 'JetStream publisher (nats 2.x client)', (broker) => {
  const names = uniqueNames('js');
  let nc: NatsConnection;
  const subjectOf = (stream: string) => `${names.prefix}.conformance.${subjectToken(stream)}`;
  const read = (stream: string, atLeast: number) =>
    readSubject(nc, names.stream, subjectOf(stream), atLeast);
  /** The ids JetStream holds for `stream`, in order, as an independent consumer reads them. */
  const storedIds = async (stream: string, atLeast: number) =>
    (await read(stream, atLeast)).map((m) => decodeWithSdk(m).id);
  /** A JetStream publisher on the shared connection, under this file's prefix unless `more` says. */
  const jetstream = (more: Partial<NatsPublisherOptions> = {}) =>
    natsPublisher({ connection: nc, headers, prefix: names.prefix, ...more });

  beforeAll(async () => {
    nc = await connect({ servers: broker.url });
    await streamFor(nc, names);
  });
  afterAll(async () => {
    await nc?.close();
  });

  describe('binary mode (default)', () => {
    it('given a batch, when published, then JetStream holds each event once, in order, and the CloudEvents SDK reads back every field', async () => {
      const publisher = jetstream();
      const stream = uniqueStream();
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const envelopes = (await sampleEnvelopes(stream, 3, { metadata: { tenant: 'acme' } })).map(
        (e) => ({
          ...e,
          metadata: { ...e.metadata, traceparent },
        }),
      );
      const receipt = await send(publisher, envelopes);

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

    it('given a batch already published, when published again with the same ids, then no second message is stored and the receipt says duplicate at the first positions', async () => {
      const publisher = jetstream();
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 3);
      const first = await send(publisher, envelopes);
      const again = await send(publisher, envelopes, { attempt: 2 });
      expect(again.events.map((e) => e.duplicate)).toEqual([true, true, true]);
      expect(again.events.map((e) => e.position)).toEqual(first.events.map((e) => e.position));
      expect((await read(stream, 3)).map((m) => m.headers?.get('Nats-Msg-Id'))).toEqual(
        envelopes.map((e) => e.id),
      );
    });

    it('given a large batch and a pipelined window, when published, then all events are stored in order', async () => {
      const publisher = jetstream({ maxInFlight: 64 });
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 300);
      const receipt = await send(publisher, envelopes);
      const sequences = receipt.events.map((e) => e.position.sequence);
      expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
      expect(await storedIds(stream, 300)).toEqual(envelopes.map((e) => e.id));
    });
  });

  it('given structured mode, when published, then the payload is one application/cloudevents+json document the SDK reads back', async () => {
    const publisher = jetstream({ encoding: 'structured' });
    const stream = uniqueStream();
    const envelopes = await sampleEnvelopes(stream, 2);
    await send(publisher, envelopes);
    const messages = await read(stream, 2);
    messages.forEach((m, i) => {
      expect(m.headers?.get('content-type')).toBe('application/cloudevents+json');
      expectSameEvent(decodeWithSdk(m), envelopes[i] as Envelope);
    });
  });

  it('given a custom subject function, when published, then events go where it says', async () => {
    const publisher = natsPublisher({
      connection: nc,
      headers,
      subject: (e) => `${names.prefix}.custom.${subjectToken(e.type)}`,
    });
    const stream = uniqueStream();
    const envelopes = await sampleEnvelopes(stream, 1);
    const receipt = await send(publisher, envelopes);
    const subject = `${names.prefix}.custom.${subjectToken((envelopes[0] as Envelope).type)}`;
    expect(receipt.events[0]?.position.subject).toBe(subject);
    expect(
      (await readSubject(nc, names.stream, subject, 1)).map((m) => decodeWithSdk(m).id),
    ).toContain(envelopes[0]?.id);
  });

  describe('pre-flight against the server limits', () => {
    it('given a stream id of 4,100 characters, when prepared among 50 concurrent publishes on the same connection, then InvalidEvent names max_control_line, nothing of it is sent, and all 50 succeed', async () => {
      const publisher = jetstream();
      const stream = `long-${'x'.repeat(4_095)}`;
      const long = await sampleEnvelopes(stream, 1);
      const others = await Promise.all(
        Array.from({ length: 50 }, () => sampleEnvelopes(uniqueStream(), 1)),
      );
      const sending = others.map((batch) => send(publisher, batch));
      const error = refusal(() => publisher.prepare(long));
      expect(error).toBeInstanceOf(InvalidEvent);
      expect(error).toMatchObject({ where: { target: 'nats', stream, generation: 1 } });
      expect((error as Error).message).toMatch(/over the server's max_control_line of 4096/);
      const receipts = await Promise.all(sending);
      expect(receipts.flatMap((r) => r.events.map((e) => e.duplicate))).toEqual(
        others.map(() => false),
      );
      expect(nc.isClosed()).toBe(false);
      expect(await read(stream, 0)).toHaveLength(0);
    });

    it('given a stream id of 3,900 characters, when published, then it fits the control line and is stored', async () => {
      const stream = `long-${'y'.repeat(3_895)}`;
      const envelopes = await sampleEnvelopes(stream, 1);
      await send(jetstream(), envelopes);
      expect(await storedIds(stream, 1)).toEqual(envelopes.map((e) => e.id));
    });
  });

  it('given a closed publisher, when prepared or published, then TargetClosed and nothing is sent', async () => {
    const publisher = jetstream();
    const stream = uniqueStream();
    const prepared = publisher.prepare(await sampleEnvelopes(stream, 1));
    await publisher.close();
    expect(() => publisher.prepare(prepared.envelopes)).toThrow(TargetClosed);
    await expect(publisher.publish(prepared)).rejects.toThrow(TargetClosed);
    expect(await read(stream, 0)).toHaveLength(0);
  });

  it('given an already-aborted signal, when published, then OperationAborted and nothing is sent', async () => {
    const stream = uniqueStream();
    const signal = AbortSignal.abort(new Error('caller gave up'));
    const attempt = send(jetstream(), await sampleEnvelopes(stream, 2), { attempt: 1, signal });
    await expect(attempt).rejects.toThrow(OperationAborted);
    await expect(attempt).rejects.toThrow('caller gave up');
    expect(await read(stream, 0)).toHaveLength(0);
  });

  describe('checkGeneration', () => {
    it('given a batch after a generation the subject is past, when published, then ConcurrencyConflict names expected and actual and nothing is written', async () => {
      const publisher = jetstream({ checkGeneration: true });
      const stream = uniqueStream();
      await send(publisher, await sampleEnvelopes(stream, 2));
      const stale = await sampleEnvelopes(stream, 1, { after: 1, padding: 1 });
      const attempt = send(publisher, stale);
      await expect(attempt).rejects.toThrow(ConcurrencyConflict);
      await expect(attempt).rejects.toMatchObject({
        stream,
        expectedGeneration: 1,
        actualGeneration: 2,
        target: 'nats',
      });
      expect(await read(stream, 2)).toHaveLength(2);
    });

    it('given another writer appended since this publisher last wrote, when published, then JetStream refuses it (wrong last sequence) as a ConcurrencyConflict', async () => {
      const mine = jetstream({ checkGeneration: true });
      const theirs = jetstream({ checkGeneration: true, name: 'other' });
      const stream = uniqueStream();
      await send(mine, await sampleEnvelopes(stream, 2));
      await send(theirs, await sampleEnvelopes(stream, 1, { after: 2 }));
      const attempt = send(mine, await sampleEnvelopes(stream, 1, { after: 2, padding: 3 }));
      await expect(attempt).rejects.toMatchObject({
        name: 'ConcurrencyConflict',
        expectedGeneration: 2,
        actualGeneration: 3,
      });
      expect(await read(stream, 3)).toHaveLength(3);
    });

    it('given a batch whose first events are already stored, when retried with the old expected generation, then those come back as duplicates and the rest is appended', async () => {
      const publisher = jetstream({ checkGeneration: true });
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 4);
      await send(jetstream(), envelopes.slice(0, 2));
      const receipt = await send(publisher, envelopes, { attempt: 2 });
      expect(receipt.events.map((e) => e.duplicate)).toEqual([true, true, false, false]);
      expect(await storedIds(stream, 4)).toEqual(envelopes.map((e) => e.id));
    });

    it('given a subject function that splits a stream over subjects, when prepared with checkGeneration, then InvalidEvent and nothing is sent', async () => {
      const publisher = natsPublisher({
        connection: nc,
        headers,
        checkGeneration: true,
        subject: (e) => `${names.prefix}.split.${e.generation}`,
      });
      const envelopes = await sampleEnvelopes(uniqueStream(), 2);
      expect(() => publisher.prepare(envelopes)).toThrow(InvalidEvent);
      expect(() => publisher.prepare(envelopes)).toThrow(
        /checkGeneration needs every event of a stream on one subject/,
      );
      expect(await readSubject(nc, names.stream, `${names.prefix}.split.1`, 0)).toHaveLength(0);
    });
  });

  describe('errors', () => {
    it('given a subject no stream captures, when published, then NatsPublishError (not retriable) names the subject, and the command handler reports DispatchFailed for this target only', async () => {
      const publisher = jetstream({ prefix: 'nowhere.to.be.found' });
      const stream = uniqueStream();
      const attempt = send(publisher, await sampleEnvelopes(stream, 1));
      await expect(attempt).rejects.toThrow(NatsPublishError);
      await expect(attempt).rejects.toMatchObject({
        code: 'NATS_NO_STREAM',
        subject: `nowhere.to.be.found.conformance.${stream}`,
      });
      await expect(attempt).rejects.toThrow(
        `subject "nowhere.to.be.found.conformance.${stream}": no JetStream stream captures`,
      );
      await expect(attempt).rejects.toMatchObject({ retriable: false });

      const store = new InMemoryEventStore();
      const beside = new InMemoryPublisher({ name: 'beside' });
      const handler = commandHandler({
        aggregate: Conformance,
        store,
        publishers: [publisher, beside],
      });
      const failed = await handler.handle('x', { type: 'Tick', n: 1 }).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(DispatchFailed);
      expect((failed as DispatchFailed).failures.map((f) => f.target)).toEqual(['nats']);
      expect((failed as DispatchFailed).retriable).toBe(false);
      expect((failed as DispatchFailed).message).toMatch(
        /nats: .*nowhere\.to\.be\.found\.conformance\./,
      );
      expect([store.size, beside.received.length]).toEqual([1, 1]);
    });

    it('given an event over max_payload, when prepared, then InvalidEvent naming the target and generation says so before anything of the batch is sent', async () => {
      const publisher = jetstream();
      const stream = uniqueStream();
      const small = await sampleEnvelopes(stream, 1);
      const big = await sampleEnvelopes(stream, 1, {
        after: 1,
        padding: nc.info?.max_payload ?? 1,
      });
      const error = refusal(() => publisher.prepare([...small, ...big]));
      expect(error).toBeInstanceOf(InvalidEvent);
      expect(error).toMatchObject({ where: { target: 'nats', stream, generation: 2 } });
      expect((error as Error).message).toMatch(
        /max_payload of 1048576 bytes; nothing of this batch was sent/,
      );
      expect(await read(stream, 0)).toHaveLength(0);
    });

    it('given JetStream refuses an event mid-batch, when published, then DispatchIncomplete lists exactly what was stored and what was not', async () => {
      const limited = uniqueNames('limited');
      await ensureStream(nc, {
        name: limited.stream,
        subjects: [`${limited.prefix}.>`],
        storage: 'memory',
      });
      const jsm = await nc.jetstreamManager();
      const config = (await jsm.streams.info(limited.stream)).config;
      await jsm.streams.update(limited.stream, { ...config, max_msg_size: 2_000 });
      const publisher = jetstream({ prefix: limited.prefix });
      const stream = uniqueStream();
      const envelopes = [
        ...(await sampleEnvelopes(stream, 1)),
        ...(await sampleEnvelopes(stream, 1, { after: 1, padding: 4_000 })),
        ...(await sampleEnvelopes(stream, 1, { after: 2 })),
      ];
      const error = await send(publisher, envelopes).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DispatchIncomplete);
      const incomplete = error as DispatchIncomplete;
      expect(incomplete.delivered).toEqual([{ id: envelopes[0]?.id, generation: 1 }]);
      expect(incomplete.undelivered).toEqual([envelopes[1]?.id, envelopes[2]?.id]);
      expect(incomplete.cause).toMatchObject({ code: 'NATS_JETSTREAM_REFUSED', retriable: false });
      expect(incomplete.retriable).toBe(false);
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

    it('given something that takes the message but never acknowledges it, when published, then a retriable BrokerUnavailable with code BROKER_TIMEOUT names the subject', async () => {
      const silent = uniqueNames('silent');
      const listener = nc.subscribe(`${silent.prefix}.>`);
      await nc.flush();
      try {
        const publisher = jetstream({ prefix: silent.prefix, timeoutMs: 200 });
        const stream = uniqueStream();
        const attempt = send(publisher, await sampleEnvelopes(stream, 2));
        await expect(attempt).rejects.toThrow(BrokerUnavailable);
        await expect(attempt).rejects.toMatchObject({ code: 'BROKER_TIMEOUT', retriable: true });
        await expect(attempt).rejects.toThrow(
          `Target "nats" timed out: no acknowledgement for subject "${silent.prefix}.conformance.${stream}" within 200 ms`,
        );
      } finally {
        listener.unsubscribe();
      }
    });

    it('given a closed connection, when published, then BrokerUnavailable names the target and nothing is sent', async () => {
      const own = await connect({ servers: broker.url });
      const publisher = jetstream({ connection: own, name: 'nats-closed' });
      await own.close();
      const stream = uniqueStream();
      const attempt = send(publisher, await sampleEnvelopes(stream, 1));
      await expect(attempt).rejects.toThrow(BrokerUnavailable);
      await expect(attempt).rejects.toThrow('Target "nats-closed" is unavailable');
    });

    it('given bad options, when the publisher is made, then a TypeError says which', () => {
      expect(() => natsPublisher({ connection: nc, headers, prefix: 'events.*' })).toThrow(
        /prefix: subject "events.\*" has a wildcard/,
      );
      expect(() => natsPublisher({ connection: nc, headers, maxInFlight: 0 })).toThrow(
        /maxInFlight/,
      );
      expect(() => natsPublisher({ connection: nc, headers, timeoutMs: Infinity })).toThrow(
        /NATS publisher "nats": timeoutMs must be > 0 and at most 2147483647 ms/,
      );
      expect(() => natsPublisher({ connection: nc, headers, lingerMs: 2 ** 31 })).toThrow(
        /lingerMs must be >= 0 and at most 2147483647 ms/,
      );
    });
  });
});
