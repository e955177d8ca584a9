import { afterAll, beforeAll, expect, it } from 'vitest';
import { CheckpointConflict, commandHandler, InMemoryPublisher, relay } from '@eventfan/core';
import type { Checkpoints } from '@eventfan/core';
import {
  CHECKPOINT_EVENT_TYPE,
  esdbCheckpoints,
  esdbEventStore,
  type EsdbEventStore,
} from '../src/index.js';
import { counterNamed, freshId } from './fixtures.js';
import { readRecords, type FullClient } from './harness.js';

const fast = { idleMs: 5, retry: { minTimeoutMs: 1, maxTimeoutMs: 5 } } as const;

/** Checkpoints whose saves wait until `loads` loads happened: relays that start together. */
function startingTogether(checkpoints: Checkpoints, loads: number): Checkpoints {
  let loaded = 0;
  let release: () => void = () => {};
  const allLoaded = new Promise<void>((resolve) => (release = resolve));
  return {
    async load(key) {
      const found = await checkpoints.load(key);
      if (++loaded >= loads) release();
      return found;
    },
    async save(key, position, expected) {
      await allLoaded;
      return checkpoints.save(key, position, expected);
    },
  };
}

/** esdbCheckpoints with one client package (each test file brings its own). */
export function describeEsdbCheckpoints(url: string, connect: (url: string) => FullClient): void {
  const client = connect(url);
  let store: EsdbEventStore;
  beforeAll(() => {
    store = esdbEventStore({ client });
  });
  afterAll(async () => {
    await client.dispose?.();
  });

  /** `count` events of a counter of its own in two streams: readAll by its name sees only them. */
  async function storedEvents(count: number, name = `cp${freshId()}`) {
    const handler = commandHandler({ aggregate: counterNamed(name), store });
    for (let i = 0; i < count; i++) await handler.handle(`s${i % 2}`, { type: 'Bump', by: 1 });
    return name;
  }

  it('given no save, when loaded, then undefined; given saves, then the last position at version = saves', async () => {
    const checkpoints = esdbCheckpoints({ client });
    const key = `relay/${freshId()}`;
    expect(await checkpoints.load(key)).toBeUndefined();
    expect(await checkpoints.save(key, '', 0)).toBe(1);
    expect(await checkpoints.save(key, '10/10', 1)).toBe(2);
    expect(await checkpoints.save(key, '20/20', 2)).toBe(3);
    expect(await checkpoints.load(key)).toEqual({ position: '20/20', version: 3 });
    const stream = await readRecords(url, `$eventfan-checkpoint-${key}`, connect);
    expect(stream.map((e) => [e.type, e.revision, e.data])).toEqual([
      [CHECKPOINT_EVENT_TYPE, 0n, { position: '' }],
      [CHECKPOINT_EVENT_TYPE, 1n, { position: '10/10' }],
      [CHECKPOINT_EVENT_TYPE, 2n, { position: '20/20' }],
    ]);
  });

  it('given keep 2, when saved 4 times, then the stream keeps the last 2 and the version still counts all', async () => {
    const checkpoints = esdbCheckpoints({ client, keep: 2, streamPrefix: 'kept-checkpoint-' });
    const key = freshId();
    for (let v = 0; v < 4; v++) await checkpoints.save(key, `${v}/${v}`, v);
    const kept = await readRecords(url, `kept-checkpoint-${key}`, connect);
    expect(kept.map((e) => [e.revision, e.data])).toEqual([
      [2n, { position: '2/2' }],
      [3n, { position: '3/3' }],
    ]);
    expect(await checkpoints.load(key)).toEqual({ position: '3/3', version: 4 });
  });

  it('given a save at version 2, when a stale save expects 1, then CheckpointConflict names expected and actual, and the checkpoint stays', async () => {
    const checkpoints = esdbCheckpoints({ client });
    const key = `relay/${freshId()}`;
    await checkpoints.save(key, '', 0);
    await checkpoints.save(key, '5/5', 1);
    const stale = checkpoints.save(key, '9/9', 1);
    await expect(stale).rejects.toThrow(CheckpointConflict);
    await expect(stale).rejects.toMatchObject({ key, expectedVersion: 1, actualVersion: 2 });
    await expect(checkpoints.save(key, '9/9', 0)).rejects.toMatchObject({ actualVersion: 2 });
    const fresh = checkpoints.save(`relay/${freshId()}`, '1/1', 3);
    await expect(fresh).rejects.toMatchObject({ expectedVersion: 3, actualVersion: 0 });
    expect(await checkpoints.load(key)).toEqual({ position: '5/5', version: 2 });
  });

  it('given two relays started together on one target, when they run, then exactly one publishes every event and the other stands down', async () => {
    const aggregate = await storedEvents(6);
    const checkpoints = startingTogether(esdbCheckpoints({ client }), 2);
    const name = `relay-${freshId()}`;
    const publishers = [0, 1].map(() => new InMemoryPublisher({ name: 'broker' }));
    const relays = publishers.map((publisher) =>
      relay({
        store,
        publishers: [publisher],
        checkpoints,
        name,
        aggregates: [aggregate],
        ...fast,
      }),
    );
    for (const r of relays) r.start();
    await Promise.all(relays.map((r) => r.caughtUp()));
    await Promise.all(relays.map((r) => r.stop()));
    const states = relays.map((r) => r.status()[0]?.state).sort();
    expect(states).toEqual(['stood-down', 'stopped']);
    const counts = publishers.map((p) => p.received.length).sort();
    expect(counts).toEqual([0, 6]);
    const loser = relays.find((r) => r.status()[0]?.state === 'stood-down');
    expect(loser?.status()[0]?.lastError).toMatch(/another relay publishes to this target/);
  });

  it('given a relay stopped after publishing, when a new one starts on the same target, then it publishes only what came after', async () => {
    const aggregate = await storedEvents(4);
    const checkpoints = esdbCheckpoints({ client });
    const name = `relay-${freshId()}`;
    const first = new InMemoryPublisher({ name: 'broker' });
    const before = relay({
      store,
      publishers: [first],
      checkpoints,
      name,
      aggregates: [aggregate],
      ...fast,
    });
    before.start();
    await before.caughtUp();
    await before.stop();
    await storedEvents(3, aggregate);
    const second = new InMemoryPublisher({ name: 'broker' });
    const after = relay({
      store,
      publishers: [second],
      checkpoints,
      name,
      aggregates: [aggregate],
      ...fast,
    });
    after.start();
    await after.caughtUp();
    await after.stop();
    expect(first.received).toHaveLength(4);
    expect(second.received.map((e) => e.stream)).toHaveLength(3);
    const ids = new Set([...first.received, ...second.received].map((e) => e.id));
    expect(ids.size).toBe(7);
    expect(after.status()[0]).toMatchObject({ state: 'stopped', published: 3 });
  });
}
