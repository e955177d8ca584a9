import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandHandler,
  ConcurrencyConflict,
  InMemoryPublisher,
  initial,
  load,
  OperationAborted,
  TargetClosed,
  toEnvelopes,
} from '@eventfan/core';
import type { Envelope, EventStore, LoggedEnvelope } from '@eventfan/core';
import { esdbEventStore, SNAPSHOT_EVENT_TYPE, type EsdbEventStore } from '../src/index.js';
import { Counter, counterNamed, freshId } from './fixtures.js';
import { readBack, readRecords, type ClientFactory } from './harness.js';

async function collect<T>(pages: AsyncIterable<readonly T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

async function bumps(id: string, count: number): Promise<Envelope[]> {
  const events = Array.from({ length: count }, (_, i) => ({
    type: 'Bumped' as const,
    data: { by: i + 1, note: '' },
  }));
  return (await toEnvelopes(Counter, initial(Counter, id), events)).envelopes as Envelope[];
}

/**
 * What the store promises on top of the conformance suite, run with each client package (each in
 * its own test file: the two cannot share a process).
 */
export function describeEsdbStore(url: string, connect: ClientFactory): void {
  let store: EsdbEventStore;
  const stored = async (stream: string) => (await readBack(url, stream, connect)).map((e) => e.id);

  beforeAll(() => {
    store = esdbEventStore({ client: connect(url), disposeClient: true });
  });

  afterAll(async () => {
    await store.close();
  });

  it('given a closed store, when appending or reading, then TargetClosed and nothing is written', async () => {
    const closed = esdbEventStore({ client: connect(url), disposeClient: true });
    await closed.close();
    const envelopes = await bumps(freshId(), 1);
    const stream = (envelopes[0] as Envelope).stream;
    await expect(closed.append(stream, envelopes, 0)).rejects.toThrow(TargetClosed);
    await expect(collect(closed.read(stream))).rejects.toThrow(TargetClosed);
    await expect(collect(closed.readAll())).rejects.toThrow(TargetClosed);
    expect(await stored(stream)).toEqual([]);
  });

  it('given an already-aborted signal, when appending, then OperationAborted and nothing is written', async () => {
    const envelopes = await bumps(freshId(), 2);
    const stream = (envelopes[0] as Envelope).stream;
    const signal = AbortSignal.abort(new Error('gave up'));
    await expect(store.append(stream, envelopes, 0, { signal })).rejects.toThrow(OperationAborted);
    expect(await stored(stream)).toEqual([]);
  });

  it('given the same ids appended twice, when the second append answers, then its receipt says duplicate on that first attempt', async () => {
    const envelopes = await bumps(freshId(), 2);
    const stream = (envelopes[0] as Envelope).stream;
    const first = await store.append(stream, envelopes, 0);
    const again = await store.append(stream, envelopes, 0);
    expect(first.events.map((e) => e.duplicate)).toEqual([false, false]);
    expect(again.events.map((e) => e.duplicate)).toEqual([true, true]);
    expect(again.events.map((e) => e.position)).toEqual(first.events.map((e) => e.position));
    expect(await stored(stream)).toEqual(envelopes.map((e) => e.id));
  });

  describe('through commandHandler, with an InMemoryPublisher beside it', () => {
    const handler = (snapshotEvery = 0) =>
      commandHandler({
        aggregate: Counter,
        store,
        publishers: [new InMemoryPublisher({ name: 'beside' })],
        snapshotEvery,
      });

    it('given two writers at one generation with identical commands, when both handle, then one conflicts and nothing is merged', async () => {
      const same = initial(Counter, freshId());
      const won = await handler().handleLoaded(same, { type: 'BumpTwice', by: 1 });
      const lost = handler().handleLoaded(same, { type: 'BumpTwice', by: 1 });
      await expect(lost).rejects.toThrow(ConcurrencyConflict);
      await expect(lost).rejects.toMatchObject({ expectedGeneration: 0, actualGeneration: 2 });
      expect(await stored(same.stream)).toEqual(won.envelopes.map((e) => e.id));
    });

    it('given one commandId sent twice, when handled, then the second says duplicate and the stream holds the events once', async () => {
      const id = freshId();
      const commandId = `cmd-${id}`;
      const first = await handler().handle(id, { type: 'BumpTwice', by: 3 }, { commandId });
      const again = await handler().handle(id, { type: 'BumpTwice', by: 3 }, { commandId });
      expect(first.duplicate).toBe(false);
      expect(again.duplicate).toBe(true);
      expect(again.receipts[0]?.events.map((e) => e.duplicate)).toEqual([true, true]);
      expect(await stored(Counter.streamOf(id))).toEqual(first.envelopes.map((e) => e.id));
    });

    it('given snapshotEvery 3, when 7 commands are handled, then snapshots land in the companion stream and load starts from the last', async () => {
      const id = freshId();
      const bumping = handler(3);
      let last;
      for (let i = 0; i < 7; i++) last = await bumping.handle(id, { type: 'Bump', by: 2 });
      const stream = Counter.streamOf(id);
      const companion = await readRecords(url, `snapshot-${stream}`, connect);
      expect(companion.map((e) => [e.type, (e.data as { generation: number }).generation])).toEqual(
        [
          [SNAPSHOT_EVENT_TYPE, 3],
          [SNAPSHOT_EVENT_TYPE, 6],
        ],
      );
      let replayed = 0;
      const counting: EventStore = {
        name: store.name,
        append: (s, e, g) => store.append(s, e, g),
        readAll: (o) => store.readAll(o),
        readSnapshot: (s) => store.readSnapshot(s),
        close: () => store.close(),
        async *read(s, from) {
          for await (const page of store.read(s, from)) {
            replayed += page.length;
            yield page;
          }
        },
      };
      expect(await load(Counter, counting, id)).toEqual(last?.state);
      expect(last?.state).toMatchObject({ generation: 7, state: { total: 14 } });
      expect(replayed).toBe(1);
    });
  });

  it('given events of two aggregates in three streams, when the log is read for one aggregate, then it comes in commit order from a position, without the other or snapshots', async () => {
    const name = `tally${freshId()}`;
    const mine = counterNamed(name);
    // Its streams `<name>-x-…` match the prefix `<name>-` too: the envelope's aggregate decides.
    const other = counterNamed(`${name}-x`);
    const handle = (aggregate: typeof mine) =>
      commandHandler({ aggregate, store, snapshotEvery: 1 });
    const order: string[] = [];
    const [a, b] = [freshId(), freshId()];
    const note = async (result: Promise<{ envelopes: readonly Envelope[] }>) =>
      order.push(...(await result).envelopes.map((e) => e.id));
    await note(handle(mine).handle(a, { type: 'Bump', by: 1 }));
    await handle(other).handle(a, { type: 'Bump', by: 1 });
    await note(handle(mine).handle(b, { type: 'BumpTwice', by: 2 }));
    await note(handle(mine).handle(a, { type: 'Seal' }));
    const read = (after?: string) =>
      collect(store.readAll({ aggregates: [name], pageSize: 2, ...(after ? { after } : {}) }));
    const all: LoggedEnvelope[] = await read();
    expect(all.map((e) => e.envelope.id)).toEqual(order);
    expect(all.map((e) => e.envelope.aggregate)).toEqual(order.map(() => name));
    expect(new Set(all.map((e) => e.position)).size).toBe(4);
    const rest = await read(all[1]?.position);
    expect(rest.map((e) => e.envelope.id)).toEqual(order.slice(2));
    expect(await read(all[3]?.position)).toEqual([]);
  });
}
