import { ConcurrencyConflict, type DispatchContext, type Envelope } from '@eventfan/core';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import { jetstream } from '@nats-io/jetstream';
import {
  connect as connectV3,
  headers as headersV3,
  type NatsConnection as NatsConnectionV3,
} from '@nats-io/transport-node';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  NatsDispatchError,
  natsDispatcher,
  subjectToken,
  type JetStreamDispatcherOptions,
} from '../src/index.js';
import { decodeWithSdk, expectSameEvent, readSubject, streamFor, uniqueNames } from './support.js';

const context = (stream: string, expectedGeneration = 0): DispatchContext => ({
  aggregate: 'conformance',
  stream,
  expectedGeneration,
  attempt: 1,
});

describeWithBroker(
  'nats',
  'dispatchers over the @nats-io 3.x clients (transport-node + jetstream)',
  (broker) => {
    const names = uniqueNames('v3');
    let nc: NatsConnectionV3;
    let reader: NatsConnection;
    const subjectOf = (stream: string) => `${names.prefix}.conformance.${subjectToken(stream)}`;
    /** A JetStream dispatcher over the 3.x clients, under this file's prefix unless `more` says. */
    const v3Dispatcher = (more: Partial<JetStreamDispatcherOptions> = {}) =>
      natsDispatcher({
        connection: nc,
        jetstream: jetstream(nc),
        headers: headersV3,
        prefix: names.prefix,
        ...more,
      });

    beforeAll(async () => {
      nc = await connectV3({ servers: broker.url });
      reader = await connect({ servers: broker.url });
      await streamFor(reader, names);
    });
    afterAll(async () => {
      await nc?.close();
      await reader?.close();
    });

    it('given jetstream(nc), when a batch is dispatched, then it is stored in order and reads back field by field', async () => {
      const dispatcher = v3Dispatcher();
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 3);
      const receipt = await dispatcher.dispatch(envelopes, context(stream));
      const again = await dispatcher.dispatch(envelopes, { ...context(stream), attempt: 2 });
      const messages = await readSubject(reader, names.stream, subjectOf(stream), 3);
      expect(messages).toHaveLength(3);
      messages.forEach((m, i) => expectSameEvent(decodeWithSdk(m), envelopes[i] as Envelope));
      expect(receipt.events.map((e) => e.position.sequence)).toEqual(messages.map((m) => m.seq));
      expect(again.events.every((e) => e.duplicate)).toBe(true);
    });

    it('given checkGeneration and a stale expected generation, when dispatched, then the 3.x error is read as a ConcurrencyConflict', async () => {
      const dispatcher = v3Dispatcher({ checkGeneration: true });
      const stream = uniqueStream();
      await dispatcher.dispatch(await sampleEnvelopes(stream, 1), context(stream));
      const other = v3Dispatcher({ checkGeneration: true });
      await other.dispatch(await sampleEnvelopes(stream, 1, { after: 1 }), context(stream, 1));
      const attempt = dispatcher.dispatch(
        await sampleEnvelopes(stream, 1, { after: 1, padding: 2 }),
        context(stream, 1),
      );
      await expect(attempt).rejects.toThrow(ConcurrencyConflict);
      await expect(attempt).rejects.toMatchObject({ expectedGeneration: 1, actualGeneration: 2 });
    });

    it('given a subject no stream captures, when dispatched, then the 3.x "JetStream not enabled" error is told apart as NATS_NO_STREAM', async () => {
      const dispatcher = v3Dispatcher({ prefix: 'nowhere.v3' });
      const stream = uniqueStream();
      const attempt = dispatcher.dispatch(await sampleEnvelopes(stream, 1), context(stream));
      await expect(attempt).rejects.toThrow(NatsDispatchError);
      await expect(attempt).rejects.toMatchObject({
        code: 'NATS_NO_STREAM',
        subject: `nowhere.v3.conformance.${stream}`,
      });
    });

    it('given a 3.x connection without jetstream, when a JetStream dispatcher is made, then a TypeError says to pass jetstream(nc)', () => {
      expect(() => natsDispatcher({ connection: nc, headers: headersV3 })).toThrow(
        /pass `jetstream` \(jetstream\(nc\)/,
      );
    });

    it('given core mode, when dispatched, then a subscriber gets the CloudEvents in order', async () => {
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 2);
      const subject = `${names.prefix}.core.conformance.${subjectToken(stream)}`;
      const subscription = reader.subscribe(subject, { max: 2 });
      await reader.flush();
      const dispatcher = natsDispatcher({
        connection: nc,
        headers: headersV3,
        prefix: `${names.prefix}.core`,
        mode: 'core',
      });
      await dispatcher.dispatch(envelopes, context(stream));
      const received: string[] = [];
      for await (const m of subscription) received.push(decodeWithSdk(m).id);
      expect(received).toEqual(envelopes.map((e) => e.id));
    });
  },
);
