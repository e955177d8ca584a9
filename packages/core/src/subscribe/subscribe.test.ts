import { describe, expect, it } from 'vitest';
import type { Envelope } from '../envelope.js';
import { commandHandler } from '../handler.js';
import { InMemoryEventStore } from '../memory-store.js';
import { InMemoryCheckpoints } from '../relay/checkpoints.js';
import { Tally, TallyEvent } from '../tally.fixture.js';
import { InMemorySequenceMarks } from './marks.js';
import type { Incoming, SubscriptionSource } from './source.js';
import { storeSource } from './store-source.js';
import { subscribe } from './subscribe.js';

type Tallied = { stream: string; generation: number; type: string };

async function storeWith(amounts: number[], streams = 2) {
  const store = new InMemoryEventStore();
  const tally = commandHandler({ aggregate: Tally, store });
  for (const [i, amount] of amounts.entries())
    await tally.handle(`t${i % streams}`, { type: 'Add', amount });
  return store;
}

async function until(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A source that delivers given batches once, as a broker redelivering would. */
function scripted(batches: Incoming[][]): SubscriptionSource & { parked: [Incoming, string][] } {
  const parked: [Incoming, string][] = [];
  return {
    name: 'scripted',
    parked,
    async run(deliver) {
      for (const batch of batches) await deliver(batch);
    },
    async park(incoming, reason) {
      parked.push([incoming, reason]);
    },
    lag: async () => 0,
    close: async () => {},
  };
}

describe('subscribe', () => {
  it('hands every event of the log to the handler once, typed, in order per stream, and follows live', async () => {
    const store = await storeWith([1, 2, 3, 4]);
    const seen: Tallied[] = [];
    const source = storeSource({
      store,
      checkpoints: new InMemoryCheckpoints(),
      idleMs: 5,
      batchSize: 3,
    });
    const sub = subscribe({
      source,
      events: TallyEvent,
      handler: (event, envelope) => {
        seen.push({ stream: envelope.stream, generation: envelope.generation, type: event.type });
      },
    });
    await until(() => seen.length === 4);
    await commandHandler({ aggregate: Tally, store }).handle('t0', { type: 'Add', amount: 9 });
    await until(() => seen.length === 5);
    expect(seen.filter((s) => s.stream === 'tally-t0').map((s) => s.generation)).toEqual([1, 2, 3]);
    expect(seen.every((s) => s.type === 'Added')).toBe(true);
    expect(await sub.status()).toMatchObject({ state: 'running', handled: 5, lag: 0 });
    await sub.stop();
    expect((await sub.status()).state).toBe('stopped');
  });

  it('continues from its checkpoint after a restart, handling nothing twice', async () => {
    const store = await storeWith([1, 2, 3]);
    const checkpoints = new InMemoryCheckpoints();
    const marks = new InMemorySequenceMarks();
    const handled: string[] = [];
    const start = () =>
      subscribe({
        source: storeSource({ store, checkpoints, idleMs: 5 }),
        events: TallyEvent,
        marks,
        handler: (_e, envelope) => void handled.push(envelope.id),
      });
    const first = start();
    await until(() => handled.length === 3);
    await first.stop();
    await commandHandler({ aggregate: Tally, store }).handle('t1', { type: 'Add', amount: 4 });
    const second = start();
    await until(() => handled.length === 4);
    await second.stop();
    expect(new Set(handled).size).toBe(4);
  });

  it('keeps duplicates from the handler by the per-stream sequence mark', async () => {
    const store = await storeWith([1, 2], 1);
    const all: Envelope[] = [];
    for await (const page of store.read('tally-t0')) all.push(...page);
    const [one, two] = all as [Envelope, Envelope];
    const batch = (e: Envelope, i: number): Incoming => ({ envelope: e, position: String(i) });
    const handled: number[] = [];
    const sub = subscribe({
      source: scripted([
        [batch(one, 1), batch(one, 2)],
        [batch(two, 3), batch(one, 4), batch(two, 5)],
      ]),
      events: TallyEvent,
      handler: (_e, envelope) => void handled.push(envelope.generation),
    });
    await sub.done;
    expect(handled).toEqual([1, 2]);
    expect(await sub.status()).toMatchObject({ handled: 2, duplicates: 3 });
  });

  it('waits for marks and a handler that answer with promises, as for ones that answer at once', async () => {
    const store = await storeWith([1, 2], 1);
    const all: Envelope[] = [];
    for await (const page of store.read('tally-t0')) all.push(...page);
    const [one, two] = all as [Envelope, Envelope];
    const batch = (e: Envelope, i: number): Incoming => ({ envelope: e, position: String(i) });
    const kept = new Map<string, number>();
    const later = () => new Promise((resolve) => setTimeout(resolve, 1));
    const handled: number[] = [];
    const sub = subscribe({
      source: scripted([[batch(one, 1), batch(one, 2), batch(two, 3), batch(two, 4)]]),
      events: TallyEvent,
      marks: {
        get: async (stream) => (await later(), kept.get(stream)),
        set: async (stream, generation) => void (await later(), kept.set(stream, generation)),
      },
      handler: async (_e, envelope) => {
        await later();
        handled.push(envelope.generation);
      },
    });
    await sub.done;
    expect(handled).toEqual([1, 2]);
    expect(kept.get('tally-t0')).toBe(2);
    expect(await sub.status()).toMatchObject({ handled: 2, duplicates: 2 });
  });

  it('with an id window, drops a repeated id among events without a usable sequence', async () => {
    const store = await storeWith([1], 1);
    const [envelope] = (await store.read('tally-t0')[Symbol.asyncIterator]().next())
      .value as Envelope[];
    const again = { envelope: envelope as Envelope, position: 'p' };
    const handled: string[] = [];
    const sub = subscribe({
      source: scripted([[again, again, again]]),
      events: TallyEvent,
      dedupe: 'id-window',
      windowSize: 2,
      handler: (_e, e) => void handled.push(e.id),
    });
    await sub.done;
    expect(handled).toHaveLength(1);
  });

  it('retries a failing handler, then parks the event with the reason; the next events still flow', async () => {
    const store = await storeWith([1, 2, 3], 1);
    const source = storeSource({ store, checkpoints: new InMemoryCheckpoints(), idleMs: 5 });
    let calls = 0;
    const handled: number[] = [];
    const sub = subscribe({
      source,
      events: TallyEvent,
      retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 },
      handler: (_e, envelope) => {
        if (envelope.generation === 2) {
          calls++;
          throw new Error('projection database down');
        }
        handled.push(envelope.generation);
      },
    });
    await until(() => handled.length === 2);
    await sub.stop();
    expect(calls).toBe(3);
    const parked = await source.deadLetters.list();
    expect(parked.map((p) => [p.envelope.generation, p.reason])).toEqual([
      [2, 'the handler failed 3 times: projection database down'],
    ]);
    expect(await sub.status()).toMatchObject({ handled: 2, parked: 1 });
  });

  it('an unknown type is skipped, parked or an error, as configured; garbage is parked', async () => {
    const store = await storeWith([1], 1);
    const [known] = (await store.read('tally-t0')[Symbol.asyncIterator]().next())
      .value as Envelope[];
    const unknown = { ...(known as Envelope), type: 'tallyevent.vanished', generation: 2 };
    const garbage: Incoming = {
      error: new Error('not a CloudEvent: specversion 0.3'),
      position: 'g',
    };
    const run = async (onUnknown: 'skip' | 'park' | 'error') => {
      const source = scripted([[{ envelope: unknown, position: 'u' }, garbage]]);
      const sub = subscribe({ source, events: TallyEvent, onUnknown, handler: () => {} });
      const outcome = await sub.done.then(
        () => 'done',
        (e: unknown) => (e as Error).message,
      );
      return {
        outcome,
        parked: source.parked.map(([, reason]) => reason),
        status: await sub.status(),
      };
    };
    expect(await run('skip')).toMatchObject({
      outcome: 'done',
      parked: ['not a CloudEvent: specversion 0.3'],
      status: { skipped: 1 },
    });
    expect((await run('park')).parked).toEqual([
      'family "TallyEvent" has no event of type "tallyevent.vanished"',
      'not a CloudEvent: specversion 0.3',
    ]);
    expect(await run('error')).toMatchObject({
      outcome: expect.stringMatching(/no event of type "tallyevent.vanished"/),
      status: { state: 'failed' },
    });
  });

  it('a skipped unknown event still moves the mark: its redelivery is a duplicate', async () => {
    const store = await storeWith([1], 1);
    const [known] = (await store.read('tally-t0')[Symbol.asyncIterator]().next())
      .value as Envelope[];
    const unknown = { ...(known as Envelope), type: 'tallyevent.vanished', generation: 2 };
    const sub = subscribe({
      source: scripted([
        [{ envelope: unknown, position: 'u' }],
        [{ envelope: unknown, position: 'u' }],
      ]),
      events: TallyEvent,
      handler: () => {},
    });
    await sub.done;
    expect(await sub.status()).toMatchObject({ skipped: 1, duplicates: 1 });
  });

  it('upcasts older versions before the handler sees them', async () => {
    const V2 = {
      ...TallyEvent,
      version: '2.0',
      upcast: (_t: string, v: string, d: unknown) =>
        v === '2.1' ? { ...(d as object), upcast: true } : d,
    };
    const store = await storeWith([5], 1);
    const [envelope] = (await store.read('tally-t0')[Symbol.asyncIterator]().next())
      .value as Envelope[];
    const data: unknown[] = [];
    const sub = subscribe({
      source: scripted([[{ envelope: envelope as Envelope, position: '1' }]]),
      events: V2,
      handler: (event) => void data.push(event.data),
    });
    await sub.done;
    expect(data).toEqual([{ amount: 5, upcast: true }]);
  });
});
