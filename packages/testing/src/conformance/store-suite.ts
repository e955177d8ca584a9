import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandHandler,
  ConcurrencyConflict,
  InMemoryPublisher,
  initial,
  InvalidEvent,
  load,
  OperationAborted,
  TargetClosed,
} from '@eventfan/core';
import type { Envelope, EventStore, LoggedEnvelope } from '@eventfan/core';
import { BAD_INPUTS } from './bad-input.js';
import { Conformance, sampleEnvelopes, uniqueStream } from './events.js';

export interface StoreHarness {
  readonly store: EventStore;
  close(): Promise<void>;
}

async function collect<T>(pages: AsyncIterable<readonly T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** A fresh aggregate name, so a shared store's log holds nothing else of it. */
const uniqueAggregate = () => `conf${Math.random().toString(36).slice(2, 10)}`;

/**
 * The universal suite every event store passes against its real backend: expected generations,
 * idempotent re-appends, paged reads, the log in commit order from a position, the bad-input
 * table, the exact error class of each situation, and the command handler's promises on it.
 * Streams are named `<aggregate>-<id>`, as `defineAggregate` names them by default.
 */
export function describeStoreConformance(name: string, factory: () => Promise<StoreHarness>): void {
  describe(`${name} — event store conformance`, () => {
    let harness: StoreHarness;
    beforeAll(async () => {
      harness = await factory();
    });
    afterAll(async () => {
      await harness?.close();
    });
    const stored = async (stream: string) => collect(harness.store.read(stream));

    it('appends at the expected generation and reads back in order, from a generation', async () => {
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 5);
      const result = await harness.store.append(stream, envelopes, 0);
      expect(result.generation).toBe(5);
      expect(result.events.map((e) => [e.id, e.generation, e.duplicate])).toEqual(
        envelopes.map((e) => [e.id, e.generation, false]),
      );
      const back = await stored(stream);
      expect(back.map((e) => [e.id, e.generation, e.type, e.data])).toEqual(
        envelopes.map((e) => [e.id, e.generation, e.type, e.data]),
      );
      expect(back[0]?.metadata).toMatchObject(envelopes[0]?.metadata as object);
      expect((await collect(harness.store.read(stream, 4))).map((e) => e.generation)).toEqual([
        4, 5,
      ]);
      expect(await stored(uniqueStream())).toEqual([]);
    });

    it('a wrong expected generation is a ConcurrencyConflict and writes nothing', async () => {
      const stream = uniqueStream();
      await harness.store.append(stream, await sampleEnvelopes(stream, 2), 0);
      const stale = await sampleEnvelopes(stream, 1, { after: 1 });
      const error = await failure(harness.store.append(stream, stale, 1));
      expect(error).toBeInstanceOf(ConcurrencyConflict);
      expect(error).toMatchObject({ stream, expectedGeneration: 1, actualGeneration: 2 });
      expect(await stored(stream)).toHaveLength(2);
    });

    it('appending the same ids again is idempotent and says duplicate, on the first attempt too', async () => {
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 3);
      await harness.store.append(stream, envelopes, 0);
      const again = await harness.store.append(stream, envelopes, 0);
      expect(again.events.map((e) => e.duplicate)).toEqual([true, true, true]);
      expect((await stored(stream)).map((e) => e.id)).toEqual(envelopes.map((e) => e.id));
    });

    describe('refuses bad input with InvalidEvent, writing nothing', () => {
      for (const bad of BAD_INPUTS.filter(
        (b) => !/control character|space|extension/.test(b.name),
      )) {
        it(bad.name, async () => {
          const batch = await bad.make();
          const stream = batch[0]?.stream ?? uniqueStream();
          const expected = Math.max(0, (batch[0]?.generation ?? 1) - 1);
          const error = await failure(harness.store.append(stream, batch, expected));
          expect(error, `${bad.name} must be refused`).toBeInstanceOf(InvalidEvent);
          expect(await stored(stream)).toEqual([]);
        });
      }
    });

    it('reads its whole log in commit order across streams, from a position, for some aggregates', async () => {
      const aggregate = uniqueAggregate();
      const [a, b] = [`${aggregate}-a`, `${aggregate}-b`];
      const sample = (stream: string, count: number, after = 0) =>
        sampleEnvelopes(stream, count, { after, aggregate });
      const order: Envelope[] = [];
      const append = async (stream: string, envelopes: Envelope[], expected: number) => {
        await harness.store.append(stream, envelopes, expected);
        order.push(...envelopes);
      };
      await append(a, await sample(a, 1), 0);
      await append(b, await sample(b, 2), 0);
      await append(a, await sample(a, 1, 1), 1);
      const mine = (entries: LoggedEnvelope[]) =>
        entries.filter((e) => e.envelope.aggregate === aggregate);
      const all = mine(await collect(harness.store.readAll({ aggregates: [aggregate] })));
      expect(all.map((e) => e.envelope.id)).toEqual(order.map((e) => e.id));
      expect(new Set(all.map((e) => e.position)).size).toBe(4);
      const after = all[1]?.position as string;
      const rest = mine(await collect(harness.store.readAll({ after, aggregates: [aggregate] })));
      expect(rest.map((e) => e.envelope.id)).toEqual(order.slice(2).map((e) => e.id));
      const other = await collect(harness.store.readAll({ aggregates: [uniqueAggregate()] }));
      expect(other.filter((e) => e.envelope.aggregate === aggregate)).toEqual([]);
    });

    it('an already-aborted signal is OperationAborted and writes nothing', async () => {
      const stream = uniqueStream();
      const signal = AbortSignal.abort(new Error('caller gave up'));
      const error = await failure(
        harness.store.append(stream, await sampleEnvelopes(stream, 1), 0, { signal }),
      );
      expect(error).toBeInstanceOf(OperationAborted);
      expect(await stored(stream)).toEqual([]);
    });

    describe('through the command handler', () => {
      const handler = (publishers = [new InMemoryPublisher({ name: 'beside' })]) =>
        commandHandler({
          aggregate: Conformance,
          store: harness.store,
          publishers,
          snapshotEvery: 2,
        });

      it('two writers at one generation with identical commands: one stores, the other conflicts', async () => {
        const id = uniqueStream('w');
        const same = initial(Conformance, id);
        await handler().handleLoaded(same, { type: 'Tick', n: 1 });
        const error = await failure(handler().handleLoaded(same, { type: 'Tick', n: 1 }));
        expect(error).toBeInstanceOf(ConcurrencyConflict);
        expect(await stored(Conformance.streamOf(id))).toHaveLength(1);
      });

      it('the same commandId again is an idempotent success that says duplicate, stored once', async () => {
        const id = uniqueStream('w');
        const first = await handler().handle(id, { type: 'Tick', n: 1 }, { commandId: `c-${id}` });
        const again = await handler().handle(id, { type: 'Tick', n: 1 }, { commandId: `c-${id}` });
        expect(again.duplicate).toBe(true);
        expect(again.receipts[0]?.events.map((e) => e.duplicate)).toEqual([true]);
        expect((await stored(Conformance.streamOf(id))).map((e) => e.id)).toEqual(
          first.envelopes.map((e) => e.id),
        );
      });

      it('loads what it stored (with snapshots where the store keeps them)', async () => {
        const id = uniqueStream('w');
        const ticks = handler();
        let last;
        for (let n = 1; n <= 5; n++) last = await ticks.handle(id, { type: 'Tick', n });
        expect(await load(Conformance, harness.store, id)).toEqual(last?.state);
        expect(last?.state).toMatchObject({ generation: 5, state: { ticks: 5 } });
        if (harness.store.readSnapshot) {
          expect(await harness.store.readSnapshot(Conformance.streamOf(id))).toMatchObject({
            generation: 4,
            state: { ticks: 4 },
          });
        }
      });
    });

    it('after close, appends are TargetClosed and write nothing; closing twice is harmless', async () => {
      const own = await factory();
      const stream = uniqueStream();
      await own.close();
      await expect(own.close()).resolves.toBeUndefined();
      const error = await failure(own.store.append(stream, await sampleEnvelopes(stream, 1), 0));
      expect(error).toBeInstanceOf(TargetClosed);
      expect(await stored(stream)).toEqual([]);
    });
  });
}
