// The NATS publisher behind commandHandler: what its pre-flight refuses is never stored, and the
// handler's idempotency and concurrency hold with JetStream as the target.
import {
  commandHandler,
  ConcurrencyConflict,
  InMemoryEventStore,
  InvalidEvent,
  OperationAborted,
  TargetClosed,
  initial,
} from '@eventfan/core';
import { Conformance, uniqueStream } from '@eventfan/testing';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { connect, headers, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { natsPublisher, subjectToken } from '../src/index.js';
import { decodeWithSdk, readSubject, streamFor, uniqueNames } from './support.js';

describeWithBroker('nats', 'commandHandler with the JetStream publisher', (broker) => {
  const names = uniqueNames('handler');
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connect({ servers: broker.url });
    await streamFor(nc, names);
  });
  afterAll(async () => {
    await nc?.close();
  });

  /** A handler over a fresh store and a JetStream publisher named `nats`. */
  function setup() {
    const store = new InMemoryEventStore();
    const publisher = natsPublisher({ connection: nc, headers, prefix: names.prefix });
    const handler = commandHandler({ aggregate: Conformance, store, publishers: [publisher] });
    return { store, publisher, handler };
  }
  /** The event ids JetStream holds for instance `id`, read by an independent consumer. */
  const published = async (id: string, atLeast: number) => {
    const subject = `${names.prefix}.conformance.${subjectToken(Conformance.streamOf(id))}`;
    const messages = await readSubject(nc, names.stream, subject, atLeast);
    return messages.map((m) => decodeWithSdk(m).id);
  };

  it('given an event over max_payload, when handled, then InvalidEvent names target "nats", nothing is stored and nothing published', async () => {
    const { store, handler } = setup();
    const id = uniqueStream('big');
    const padding = (nc.info?.max_payload ?? 1) + 1;
    const attempt = handler.handle(id, { type: 'Tick', n: 1, padding });
    await expect(attempt).rejects.toThrow(InvalidEvent);
    await expect(attempt).rejects.toMatchObject({ where: { target: 'nats', generation: 1 } });
    expect(store.size).toBe(0);
    expect(await published(id, 0)).toEqual([]);
  });

  it('given a metadata value with a control character, when handled, then InvalidEvent names target "nats" and nothing is stored', async () => {
    const { store, handler } = setup();
    const attempt = handler.handle(
      uniqueStream('ctl'),
      { type: 'Tick', n: 1 },
      { metadata: { note: 'a\u0007b' } },
    );
    await expect(attempt).rejects.toThrow(InvalidEvent);
    await expect(attempt).rejects.toMatchObject({ where: { target: 'nats' } });
    await expect(attempt).rejects.toThrow(/control character/);
    expect(store.size).toBe(0);
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
    const { store, handler } = setup();
    const id = uniqueStream('aborted');
    const signal = AbortSignal.abort(new Error('caller gave up'));
    const attempt = handler.handle(id, { type: 'Tick', n: 1 }, { signal });
    await expect(attempt).rejects.toThrow(OperationAborted);
    expect(store.size).toBe(0);
    expect(await published(id, 0)).toEqual([]);
  });

  it('given the same commandId twice, when handled, then the second is a duplicate and JetStream holds the events once', async () => {
    const { store, handler } = setup();
    const id = uniqueStream('twice');
    const first = await handler.handle(id, { type: 'Tick', n: 1 }, { commandId: `c-${id}` });
    const again = await handler.handle(id, { type: 'Tick', n: 1 }, { commandId: `c-${id}` });
    expect([first.duplicate, again.duplicate]).toEqual([false, true]);
    expect(again.receipts.map((r) => [r.target, r.events.map((e) => e.duplicate)])).toEqual([
      ['memory', [true]],
      ['nats', [true]],
    ]);
    expect(store.size).toBe(1);
    expect(await published(id, 1)).toEqual(first.envelopes.map((e) => e.id));
  });

  it('given two writers at the same generation with identical commands, when both are handled, then the second is a ConcurrencyConflict, not merged, and JetStream holds only the first', async () => {
    const { store, handler } = setup();
    const id = uniqueStream('race');
    const state = initial(Conformance, id);
    const first = await handler.handleLoaded(state, { type: 'Tick', n: 1 }, { commandId: 'a' });
    const second = handler.handleLoaded(state, { type: 'Tick', n: 1 }, { commandId: 'b' });
    await expect(second).rejects.toThrow(ConcurrencyConflict);
    await expect(second).rejects.toMatchObject({ expectedGeneration: 0, actualGeneration: 1 });
    expect(store.size).toBe(1);
    expect(await published(id, 1)).toEqual(first.envelopes.map((e) => e.id));
  });
});
