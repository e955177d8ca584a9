import { describe, expect, it } from 'vitest';
import { initial } from './aggregate.js';
import { dispatch } from './dispatch.js';
import type { Envelope } from './envelope.js';
import { ConcurrencyConflict, InvalidEvent } from './errors.js';
import { InMemoryEventStore } from './memory-store.js';
import type { EventStore, Snapshot } from './store.js';
import { load, persistTo } from './store.js';
import { Tally } from './tally.fixture.js';

async function collect(events: AsyncIterable<Envelope>): Promise<Envelope[]> {
  const out: Envelope[] = [];
  for await (const e of events) out.push(e);
  return out;
}

async function addMany(store: EventStore, id: string, amounts: number[], snapshotEvery?: number) {
  let current = initial(Tally, id);
  const target = persistTo(store, snapshotEvery ? { snapshotEvery } : {});
  for (const amount of amounts)
    current = (await dispatch(Tally, current, { type: 'Add', amount }, [target])).state;
  return current;
}

describe('the in-memory event store', () => {
  it('appends with the expected generation and reads back in order from a generation', async () => {
    const store = new InMemoryEventStore();
    await addMany(store, 'a', [1, 2, 3]);
    expect((await collect(store.read('tally-a'))).map((e) => e.data)).toEqual([
      { amount: 1 },
      { amount: 2 },
      { amount: 3 },
    ]);
    expect((await collect(store.read('tally-a', 3))).map((e) => e.generation)).toEqual([3]);
  });

  it('a missing stream reads as empty', async () => {
    expect(await collect(new InMemoryEventStore().read('nobody'))).toEqual([]);
  });

  it('a wrong expected generation is a ConcurrencyConflict with expected and actual', async () => {
    const store = new InMemoryEventStore();
    const { envelopes } = await dispatch(Tally, initial(Tally, 'a'), { type: 'Add', amount: 1 }, [
      persistTo(store),
    ]);
    const other = { ...(envelopes[0] as Envelope), id: 'someone-else' };
    const attempt = store.append('tally-a', [other], 0);
    await expect(attempt).rejects.toThrow(ConcurrencyConflict);
    await expect(attempt).rejects.toMatchObject({
      expectedGeneration: 0,
      actualGeneration: 1,
      stream: 'tally-a',
    });
  });

  it('appending the same ids again is idempotent and says duplicate', async () => {
    const store = new InMemoryEventStore();
    const { envelopes } = await dispatch(
      Tally,
      initial(Tally, 'a'),
      { type: 'AddTwice', amount: 1 },
      [persistTo(store)],
    );
    const again = await store.append('tally-a', envelopes, 0);
    expect(again.events.map((e) => e.duplicate)).toEqual([true, true]);
    expect(await collect(store.read('tally-a'))).toHaveLength(2);
  });

  it('refuses a batch with a gap, another stream, or nothing in it — and writes none of it', async () => {
    const store = new InMemoryEventStore();
    const { envelopes } = await dispatch(
      Tally,
      initial(Tally, 'a'),
      { type: 'AddTwice', amount: 1 },
      [],
    );
    const [first, second] = envelopes as [Envelope, Envelope];
    await expect(store.append('tally-a', [first, { ...second, generation: 5 }], 0)).rejects.toThrow(
      /envelope 1 has generation 5, expected 2/,
    );
    await expect(store.append('tally-b', [first], 0)).rejects.toThrow(
      /envelope 0 belongs to stream "tally-a"/,
    );
    await expect(store.append('tally-a', [], 0)).rejects.toThrow(InvalidEvent);
    expect(store.streams()).toEqual([]);
  });

  it('keeps frozen copies, so a caller mutating its envelope changes nothing stored', async () => {
    const store = new InMemoryEventStore();
    const { envelopes } = await dispatch(Tally, initial(Tally, 'a'), { type: 'Add', amount: 1 }, [
      persistTo(store),
    ]);
    (envelopes[0]?.data as { amount: number }).amount = 99;
    const [stored] = await collect(store.read('tally-a'));
    expect(stored?.data).toEqual({ amount: 1 });
    expect(Object.isFrozen(stored?.data)).toBe(true);
  });
});

describe('load', () => {
  it('replays the stream to the same state and generation dispatch returned', async () => {
    const store = new InMemoryEventStore();
    const last = await addMany(store, 'a', [5, 6, 7]);
    expect(await load(Tally, store, 'a')).toEqual(last);
  });

  it('of a stream with no events is the initial state', async () => {
    expect(await load(Tally, new InMemoryEventStore(), 'z')).toEqual(initial(Tally, 'z'));
  });

  it('refuses an event type the aggregate does not know', async () => {
    const store = new InMemoryEventStore();
    const { envelopes } = await dispatch(
      Tally,
      initial(Tally, 'a'),
      { type: 'Add', amount: 1 },
      [],
    );
    await store.append(
      'tally-a',
      [{ ...(envelopes[0] as Envelope), type: 'tallyevent.vanished' }],
      0,
    );
    await expect(load(Tally, store, 'a')).rejects.toThrow(
      /has no event of type "tallyevent.vanished"/,
    );
  });
});

describe('snapshots every N events', () => {
  it('are written when the generation passes a multiple of N and used by load', async () => {
    const store = new InMemoryEventStore();
    const last = await addMany(store, 'a', [1, 1, 1, 1, 1, 1, 1], 3);
    expect(await store.readSnapshot('tally-a')).toMatchObject({
      generation: 6,
      state: { total: 6 },
    });

    const reads: number[] = [];
    const spying: EventStore = {
      append: (s, e, g) => store.append(s, e, g),
      read: (s, from) => (reads.push(from ?? 1), store.read(s, from)),
      readSnapshot: (s) => store.readSnapshot(s),
    };
    expect(await load(Tally, spying, 'a')).toEqual(last);
    expect(reads).toEqual([7]);
  });

  it('a snapshot that cannot be written fails the store target, and a retry repairs it', async () => {
    const inner = new InMemoryEventStore();
    let broken = true;
    const store: EventStore = {
      append: (s, e, g) => inner.append(s, e, g),
      read: (s, f) => inner.read(s, f),
      readSnapshot: (s) => inner.readSnapshot(s),
      writeSnapshot: async (s, snap: Snapshot) => {
        if (broken) throw new Error('snapshot bucket unavailable');
        await inner.writeSnapshot(s, snap);
      },
    };
    const failed = await dispatch(Tally, initial(Tally, 'a'), { type: 'Add', amount: 1 }, [
      persistTo(store, { snapshotEvery: 1 }),
    ]).catch((e: unknown) => e);
    expect(String(failed)).toMatch(/were stored, but the snapshot at generation 1 was not/);
    broken = false;
    await (failed as { retry(): Promise<unknown> }).retry();
    expect(await inner.readSnapshot('tally-a')).toMatchObject({ generation: 1 });
    expect(await collect(inner.read('tally-a'))).toHaveLength(1);
  });
});
