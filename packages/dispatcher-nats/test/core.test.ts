import {
  BrokerUnavailable,
  InvalidEvent,
  type DispatchContext,
  type Envelope,
} from '@eventfan/core';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import { connect, headers, type Msg, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { natsDispatcher, subjectToken } from '../src/index.js';
import { decodeWithSdk, expectSameEvent, uniqueNames } from './support.js';

const context = (stream: string): DispatchContext => ({
  aggregate: 'conformance',
  stream,
  expectedGeneration: 0,
  attempt: 1,
});

describeWithBroker('nats', 'core NATS dispatcher (at most once)', (broker) => {
  const { prefix } = uniqueNames('core');
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connect({ servers: broker.url });
  });
  afterAll(async () => {
    await nc?.close();
  });

  /** Subscribes now (the server knows once this resolves); `messages` settles after `count`. */
  async function subscribe(stream: string, count: number): Promise<{ messages: Promise<Msg[]> }> {
    const subscription = nc.subscribe(`${prefix}.conformance.${subjectToken(stream)}`, {
      max: count,
    });
    await nc.flush();
    const messages = (async () => {
      const all: Msg[] = [];
      for await (const m of subscription) all.push(m);
      return all;
    })();
    return { messages };
  }

  it('given a subscriber, when a batch is dispatched in core mode, then it gets every CloudEvent in order with Nats-Msg-Id set, and the receipt names the subject', async () => {
    const stream = uniqueStream();
    const envelopes = await sampleEnvelopes(stream, 3);
    const subscriber = await subscribe(stream, 3);
    const dispatcher = natsDispatcher({ connection: nc, headers, prefix, mode: 'core' });
    const receipt = await dispatcher.dispatch(envelopes, context(stream));
    const messages = await subscriber.messages;
    messages.forEach((m, i) => {
      expectSameEvent(decodeWithSdk(m), envelopes[i] as Envelope);
      expect(m.headers?.get('Nats-Msg-Id')).toBe(envelopes[i]?.id);
    });
    expect(receipt.events.map((e) => [e.duplicate, e.position])).toEqual(
      envelopes.map(() => [false, { subject: `${prefix}.conformance.${stream}` }]),
    );
  });

  it('given an event over max_payload, when dispatched in core mode, then InvalidEvent and nothing is published', async () => {
    const stream = uniqueStream();
    const big = await sampleEnvelopes(stream, 1, { padding: nc.info?.max_payload ?? 1 });
    const dispatcher = natsDispatcher({ connection: nc, headers, prefix, mode: 'core' });
    await expect(dispatcher.dispatch(big, context(stream))).rejects.toThrow(InvalidEvent);
  });

  it('given a closed dispatcher, when dispatched, then BrokerUnavailable says the dispatcher is closed', async () => {
    const dispatcher = natsDispatcher({ connection: nc, headers, prefix, mode: 'core' });
    await dispatcher.close();
    await dispatcher.close();
    const stream = uniqueStream();
    const attempt = dispatcher.dispatch(await sampleEnvelopes(stream, 1), context(stream));
    await expect(attempt).rejects.toThrow(BrokerUnavailable);
    await expect(attempt).rejects.toThrow('the dispatcher is closed');
  });
});
