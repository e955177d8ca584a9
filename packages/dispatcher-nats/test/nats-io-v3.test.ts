import { ConcurrencyConflict, type Envelope } from '@eventfan/core';
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
  coreNatsPublisher,
  NatsPublishError,
  natsPublisher,
  subjectToken,
  type NatsPublisherOptions,
} from '../src/index.js';
import {
  decodeWithSdk,
  expectSameEvent,
  readSubject,
  send,
  streamFor,
  uniqueNames,
} from './support.js';

describeWithBroker(
  'nats',
  'publishers over the @nats-io 3.x clients (transport-node + jetstream)',
  (broker) => {
    const names = uniqueNames('v3');
    let nc: NatsConnectionV3;
    let reader: NatsConnection;
    const subjectOf = (stream: string) => `${names.prefix}.conformance.${subjectToken(stream)}`;
    /** A JetStream publisher over the 3.x clients, under this file's prefix unless `more` says. */
    const v3Publisher = (more: Partial<NatsPublisherOptions> = {}) =>
      natsPublisher({
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

    it('given jetstream(nc), when a batch is published, then it is stored in order and reads back field by field', async () => {
      const publisher = v3Publisher();
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 3);
      const receipt = await send(publisher, envelopes);
      const again = await send(publisher, envelopes, { attempt: 2 });
      const messages = await readSubject(reader, names.stream, subjectOf(stream), 3);
      expect(messages).toHaveLength(3);
      messages.forEach((m, i) => expectSameEvent(decodeWithSdk(m), envelopes[i] as Envelope));
      expect(receipt.events.map((e) => e.position.sequence)).toEqual(messages.map((m) => m.seq));
      expect(again.events.every((e) => e.duplicate)).toBe(true);
    });

    it('given checkGeneration and a stale expected generation, when published, then the 3.x error is read as a ConcurrencyConflict', async () => {
      const publisher = v3Publisher({ checkGeneration: true });
      const stream = uniqueStream();
      await send(publisher, await sampleEnvelopes(stream, 1));
      const other = v3Publisher({ checkGeneration: true });
      await send(other, await sampleEnvelopes(stream, 1, { after: 1 }));
      const attempt = send(publisher, await sampleEnvelopes(stream, 1, { after: 1, padding: 2 }));
      await expect(attempt).rejects.toThrow(ConcurrencyConflict);
      await expect(attempt).rejects.toMatchObject({ expectedGeneration: 1, actualGeneration: 2 });
    });

    it('given a subject no stream captures, when published, then the 3.x "JetStream not enabled" error is told apart as NATS_NO_STREAM', async () => {
      const publisher = v3Publisher({ prefix: 'nowhere.v3' });
      const stream = uniqueStream();
      const attempt = send(publisher, await sampleEnvelopes(stream, 1));
      await expect(attempt).rejects.toThrow(NatsPublishError);
      await expect(attempt).rejects.toMatchObject({
        code: 'NATS_NO_STREAM',
        subject: `nowhere.v3.conformance.${stream}`,
      });
    });

    it('given a 3.x connection and no jetstream option, when published, then the PubAcks come back all the same', async () => {
      const publisher = natsPublisher({
        connection: nc,
        headers: headersV3,
        prefix: `${names.prefix}.js`,
      });
      const stream = uniqueStream();
      const receipt = await send(publisher, await sampleEnvelopes(stream, 2));
      expect(receipt.events.map((e) => e.duplicate)).toEqual([false, false]);
      await publisher.close();
    });

    it('given a core publisher, when published, then a subscriber gets the CloudEvents in order', async () => {
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 2);
      const subject = `${names.prefix}.core.conformance.${subjectToken(stream)}`;
      const subscription = reader.subscribe(subject, { max: 2 });
      await reader.flush();
      const publisher = coreNatsPublisher({
        connection: nc,
        headers: headersV3,
        prefix: `${names.prefix}.core`,
      });
      await send(publisher, envelopes);
      const received: string[] = [];
      for await (const m of subscription) received.push(decodeWithSdk(m).id);
      expect(received).toEqual(envelopes.map((e) => e.id));
    });
  },
);
