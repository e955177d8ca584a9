import { describe, expect, it } from 'vitest';
import { initial } from './aggregate.js';
import type { Envelope } from './envelope.js';
import { toEnvelopes } from './envelopes.js';
import { ConcurrencyConflict, InvalidEvent, OperationAborted, TargetClosed } from './errors.js';
import { commandHandler } from './handler.js';
import { load } from './load.js';
import { InMemoryEventStore } from './memory-store.js';
import type { LoggedEnvelope } from './store.js';
import { Tally } from './tally.fixture.js';

async function collect<T>(pages: AsyncIterable<readonly T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

async function envelopesFor(id: string, amounts: number[], after = 0): Promise<Envelope[]> {
  const current = { ...initial(Tally, id), generation: after };
  const events = amounts.map((amount) => Tally.events.event('Added', { amount }));
  return (await toEnvelopes(Tally, current, events)).envelopes;
}

describe('the in-memory event store', () => {
  it('appends with the expected generation and reads back in order from a generation', async () => {
    const store = new InMemoryEventStore();
    await store.append('tally-a', await envelopesFor('a', [1, 2, 3]), 0);
    expect((await collect(store.read('tally-a'))).map((e) => e.data)).toEqual([
      { amount: 1 },
      { amount: 2 },
      { amount: 3 },
    ]);
    expect((await collect(store.read('tally-a', 3))).map((e) => e.generation)).toEqual([3]);
  });

  it('reads in pages of at most pageSize, whatever the stream length', async () => {
    const store = new InMemoryEventStore({ pageSize: 2 });
    await store.append('tally-a', await envelopesFor('a', [1, 2, 3, 4, 5]), 0);
    const sizes: number[] = [];
    for await (const page of store.read('tally-a')) sizes.push(page.length);
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('a missing stream reads as empty', async () => {
    expect(await collect(new InMemoryEventStore().read('nobody'))).toEqual([]);
  });

  it('a wrong expected generation is a ConcurrencyConflict with expected and actual', async () => {
    const store = new InMemoryEventStore();
    await store.append('tally-a', await envelopesFor('a', [1]), 0);
    const attempt = store.append('tally-a', await envelopesFor('a', [1]), 0);
    await expect(attempt).rejects.toThrow(ConcurrencyConflict);
    await expect(attempt).rejects.toMatchObject({
      expectedGeneration: 0,
      actualGeneration: 1,
      stream: 'tally-a',
      target: 'memory',
    });
  });

  it('appending the same ids again is idempotent and says duplicate', async () => {
    const store = new InMemoryEventStore();
    const envelopes = await envelopesFor('a', [1, 2]);
    const first = await store.append('tally-a', envelopes, 0);
    const again = await store.append('tally-a', envelopes, 0);
    expect(first.events.map((e) => e.duplicate)).toEqual([false, false]);
    expect(again.events.map((e) => e.duplicate)).toEqual([true, true]);
    expect(again.events.map((e) => e.position)).toEqual(first.events.map((e) => e.position));
    expect(await collect(store.read('tally-a'))).toHaveLength(2);
  });

  it('refuses a batch with a gap, another stream, or nothing in it — and writes none of it', async () => {
    const store = new InMemoryEventStore();
    const [one, two] = await envelopesFor('a', [1, 2]);
    await expect(store.append('tally-a', [one as Envelope, one as Envelope], 0)).rejects.toThrow(
      /envelope 1 has generation 1, expected 2/,
    );
    await expect(store.append('tally-b', [one as Envelope], 0)).rejects.toThrow(
      /belongs to stream "tally-a"/,
    );
    await expect(store.append('tally-a', [], 0)).rejects.toThrow(InvalidEvent);
    await expect(store.append('tally-a', [two as Envelope], 0)).rejects.toThrow(InvalidEvent);
    expect(store.size).toBe(0);
  });

  it('keeps frozen copies, so a caller mutating its envelope data changes nothing stored', async () => {
    const store = new InMemoryEventStore();
    const envelopes = await envelopesFor('a', [1]);
    await store.append('tally-a', envelopes, 0);
    (envelopes[0]?.data as { amount: number }).amount = 99;
    const [stored] = await collect(store.read('tally-a'));
    expect(stored?.data).toEqual({ amount: 1 });
    expect(Object.isFrozen(stored) && Object.isFrozen(stored?.data)).toBe(true);
  });

  it('after close, appends are TargetClosed and nothing is written', async () => {
    const store = new InMemoryEventStore();
    await store.close();
    await expect(store.append('tally-a', await envelopesFor('a', [1]), 0)).rejects.toThrow(
      TargetClosed,
    );
    expect(store.size).toBe(0);
  });

  it('an already-aborted signal is OperationAborted and nothing is written', async () => {
    const store = new InMemoryEventStore();
    const signal = AbortSignal.abort(new Error('user gave up'));
    const attempt = store.append('tally-a', await envelopesFor('a', [1]), 0, { signal });
    await expect(attempt).rejects.toThrow(OperationAborted);
    expect(store.size).toBe(0);
  });
});

describe('the in-memory log', () => {
  async function twoStreams(): Promise<InMemoryEventStore> {
    const store = new InMemoryEventStore({ pageSize: 2 });
    await store.append('tally-a', await envelopesFor('a', [1]), 0);
    await store.append('tally-b', await envelopesFor('b', [2, 3]), 0);
    await store.append('tally-a', await envelopesFor('a', [4], 1), 1);
    return store;
  }
  const amounts = (entries: LoggedEnvelope[]) =>
    entries.map((e) => (e.envelope.data as { amount: number }).amount);

  it('reads every stream in commit order, in pages, with increasing positions', async () => {
    const entries = await collect((await twoStreams()).readAll());
    expect(amounts(entries)).toEqual([1, 2, 3, 4]);
    expect(entries.map((e) => e.position)).toEqual(['1', '2', '3', '4']);
  });

  it('reads on after a position, exclusively', async () => {
    const store = await twoStreams();
    expect(amounts(await collect(store.readAll({ after: '2' })))).toEqual([3, 4]);
    expect(amounts(await collect(store.readAll({ after: '4' })))).toEqual([]);
  });

  it('keeps to the aggregates asked for', async () => {
    const store = await twoStreams();
    const other = { ...(await envelopesFor('c', [7]))[0], aggregate: 'other' } as Envelope;
    await store.append('tally-c', [other], 0);
    expect(amounts(await collect(store.readAll({ aggregates: ['other'] })))).toEqual([7]);
    expect(await collect(store.readAll({ aggregates: ['tally'] }))).toHaveLength(4);
  });

  it('refuses a position it did not give', async () => {
    await expect(collect(new InMemoryEventStore().readAll({ after: 'C:1/P:1' }))).rejects.toThrow(
      /not a position of the in-memory store's log/,
    );
  });
});

describe('load', () => {
  it('replays the stream to the state and generation handle returned', async () => {
    const store = new InMemoryEventStore();
    const tally = commandHandler({ aggregate: Tally, store });
    await tally.handle('a', { type: 'Add', amount: 2 });
    const last = await tally.handle('a', { type: 'AddTwice', amount: 3 });
    expect(await load(Tally, store, 'a')).toEqual(last.state);
    expect(last.state).toMatchObject({ generation: 3, state: { total: 8 } });
  });

  it('of a stream with no events is the initial state', async () => {
    expect(await load(Tally, new InMemoryEventStore(), 'z')).toEqual(initial(Tally, 'z'));
  });

  it('refuses an event type the aggregate does not know', async () => {
    const store = new InMemoryEventStore();
    const [envelope] = await envelopesFor('a', [1]);
    await store.append('tally-a', [{ ...(envelope as Envelope), type: 'tallyevent.vanished' }], 0);
    await expect(load(Tally, store, 'a')).rejects.toThrow(
      /has no event of type "tallyevent.vanished"/,
    );
  });

  it('starts from the latest snapshot and replays only what came after', async () => {
    const store = new InMemoryEventStore();
    const tally = commandHandler({ aggregate: Tally, store, snapshotEvery: 2 });
    for (const amount of [1, 2, 3]) await tally.handle('a', { type: 'Add', amount });
    expect(await store.readSnapshot('tally-a')).toMatchObject({
      generation: 2,
      state: { total: 3 },
    });
    // A snapshot that disagrees with the events shows that load used it.
    await store.writeSnapshot('tally-a', {
      stream: 'tally-a',
      generation: 2,
      state: { total: 100, closed: false, tags: [] },
      time: new Date().toISOString(),
    });
    expect(await load(Tally, store, 'a')).toMatchObject({ generation: 3, state: { total: 103 } });
  });
});
