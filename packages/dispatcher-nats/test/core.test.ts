import { InvalidEvent, TargetClosed, type Envelope } from '@eventfan/core';
import { sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { connect, headers, type Msg, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { coreNatsPublisher, subjectToken } from '../src/index.js';
import { decodeWithSdk, expectSameEvent, refusal, send, uniqueNames } from './support.js';

describeWithBroker('nats', 'core NATS publisher (at most once)', (broker) => {
  const { prefix } = uniqueNames('core');
  let nc: NatsConnection;
  const core = () => coreNatsPublisher({ connection: nc, headers, prefix });
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

  it('given a subscriber, when a batch is published, then it gets every CloudEvent in order with Nats-Msg-Id set, and the receipt names the subject', async () => {
    const stream = uniqueStream();
    const envelopes = await sampleEnvelopes(stream, 3);
    const subscriber = await subscribe(stream, 3);
    const receipt = await send(core(), envelopes);
    const messages = await subscriber.messages;
    messages.forEach((m, i) => {
      expectSameEvent(decodeWithSdk(m), envelopes[i] as Envelope);
      expect(m.headers?.get('Nats-Msg-Id')).toBe(envelopes[i]?.id);
    });
    expect(receipt.events.map((e) => [e.duplicate, e.position])).toEqual(
      envelopes.map(() => [false, { subject: `${prefix}.conformance.${stream}` }]),
    );
  });

  it('given an event over max_payload, when prepared, then InvalidEvent naming the target', async () => {
    const big = await sampleEnvelopes(uniqueStream(), 1, { padding: nc.info?.max_payload ?? 1 });
    const error = refusal(() => core().prepare(big));
    expect(error).toBeInstanceOf(InvalidEvent);
    expect(error).toMatchObject({ where: { target: 'nats' } });
    expect((error as Error).message).toMatch(/max_payload/);
  });

  it('given a stream id of 4,100 characters, when prepared, then InvalidEvent names max_control_line, and the connection keeps publishing', async () => {
    const stream = uniqueStream();
    const subscriber = await subscribe(stream, 1);
    const long = await sampleEnvelopes(`long-${'x'.repeat(4_095)}`, 1);
    expect(() => core().prepare(long)).toThrow(/over the server's max_control_line of 4096/);
    const envelopes = await sampleEnvelopes(stream, 1);
    await send(core(), envelopes);
    expect((await subscriber.messages).map((m) => decodeWithSdk(m).id)).toEqual([envelopes[0]?.id]);
  });

  it('given a custom subject with a control character, when prepared, then InvalidEvent says so', async () => {
    const publisher = coreNatsPublisher({ connection: nc, headers, subject: () => 'a.b\u0001c' });
    const envelopes = await sampleEnvelopes(uniqueStream(), 1);
    const error = refusal(() => publisher.prepare(envelopes));
    expect(error).toBeInstanceOf(InvalidEvent);
    expect((error as Error).message).toMatch(/contains a control character/);
  });

  it('given a closed publisher, when prepared or published, then TargetClosed; closing twice is harmless', async () => {
    const publisher = core();
    const prepared = publisher.prepare(await sampleEnvelopes(uniqueStream(), 1));
    await publisher.close();
    await publisher.close();
    expect(() => publisher.prepare(prepared.envelopes)).toThrow(TargetClosed);
    await expect(publisher.publish(prepared)).rejects.toThrow(TargetClosed);
  });
});
