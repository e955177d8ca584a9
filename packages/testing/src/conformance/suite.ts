import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConcurrencyConflict,
  DispatchFailed,
  DispatchIncomplete,
  EventfanError,
  InMemoryDispatcher,
  dispatch,
  initial,
} from '@eventfan/core';
import type { DispatchContext, Dispatcher, Envelope } from '@eventfan/core';
import { Conformance, sampleEnvelopes, uniqueStream } from './events.js';

/** What a broker cannot do, so the suite checks the right promise for it (Watermill's features). */
export interface ConformanceFeatures {
  /** The broker drops a re-sent event id (ESDB event id, JetStream Nats-Msg-Id). */
  readonly dedupe: boolean;
  /** The dispatcher checks the expected generation and throws ConcurrencyConflict. */
  readonly concurrency: boolean;
}

/** A decoded CloudEvent as an independent consumer read it back. */
export type ReadBackEvent = Readonly<Record<string, unknown>>;

export interface ConformanceHarness {
  readonly dispatcher: Dispatcher;
  /**
   * Everything the broker holds for the stream, in order, read by an independent consumer and
   * decoded to CloudEvents. Waits (a few seconds at most) until at least `atLeast` are there.
   */
  readBack(stream: string, atLeast: number): Promise<readonly ReadBackEvent[]>;
  /** A dispatcher of the same kind whose broker does not answer, with short timeouts. */
  unreachable(): Promise<Dispatcher>;
  close(): Promise<void>;
}

const context = (stream: string, expectedGeneration = 0, attempt = 1): DispatchContext => ({
  aggregate: 'conformance',
  stream,
  expectedGeneration,
  attempt,
});

/** The same CloudEvent fields for what was sent and what came back. */
function sent(envelope: Envelope): ReadBackEvent {
  return {
    id: envelope.id,
    type: envelope.type,
    source: envelope.source,
    subject: envelope.stream,
    data: envelope.data,
    sequence: envelope.generation,
  };
}

function received(event: ReadBackEvent): ReadBackEvent {
  return {
    id: event['id'],
    type: event['type'],
    source: event['source'],
    subject: event['subject'],
    data: event['data'],
    sequence: Number(event['sequence']),
  };
}

/**
 * The universal suite every dispatcher passes against its real broker: ordering per stream,
 * receipts, dedupe of re-sent ids, concurrency, fan-out next to another target, bad input, an
 * unreachable broker and close.
 */
export function describeDispatcherConformance(
  name: string,
  factory: () => Promise<ConformanceHarness>,
  features: ConformanceFeatures,
): void {
  describe(`${name} — dispatcher conformance`, () => {
    let harness: ConformanceHarness;
    beforeAll(async () => {
      harness = await factory();
    });
    afterAll(async () => {
      await harness?.close();
    });

    it('delivers every event of a stream in order, with one receipt entry per event', async () => {
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 5);
      const receipt = await harness.dispatcher.dispatch(envelopes, context(stream));
      expect(receipt.target).toBe(harness.dispatcher.name);
      expect(receipt.events.map((e) => [e.id, e.generation, e.duplicate])).toEqual(
        envelopes.map((e) => [e.id, e.generation, false]),
      );
      for (const event of receipt.events)
        expect(Object.keys(event.position).length).toBeGreaterThan(0);
      const back = await harness.readBack(stream, 5);
      expect(back.map(received)).toEqual(envelopes.map(sent));
    });

    it('keeps each stream in its own order when streams are dispatched concurrently', async () => {
      const streams = [uniqueStream(), uniqueStream(), uniqueStream()];
      const batches = await Promise.all(streams.map((s) => sampleEnvelopes(s, 4)));
      await Promise.all(
        batches.flatMap((batch, i) => [
          harness.dispatcher.dispatch(batch.slice(0, 2), context(streams[i] as string, 0)),
        ]),
      );
      await Promise.all(
        batches.map((batch, i) =>
          harness.dispatcher.dispatch(batch.slice(2), context(streams[i] as string, 2)),
        ),
      );
      for (const [i, stream] of streams.entries()) {
        const back = await harness.readBack(stream, 4);
        expect(back.map((e) => e['id'])).toEqual((batches[i] as Envelope[]).map((e) => e.id));
      }
    });

    if (features.dedupe) {
      it('drops a re-sent batch (same ids) and says duplicate in the receipt', async () => {
        const stream = uniqueStream();
        const envelopes = await sampleEnvelopes(stream, 3);
        await harness.dispatcher.dispatch(envelopes, context(stream));
        const again = await harness.dispatcher.dispatch(envelopes, context(stream, 0, 2));
        expect(again.events.map((e) => e.duplicate)).toEqual([true, true, true]);
        const back = await harness.readBack(stream, 3);
        expect(back.map((e) => e['id'])).toEqual(envelopes.map((e) => e.id));
      });
    } else {
      it('re-sends a retried batch with the same ids, so consumers can drop the duplicates', async () => {
        const stream = uniqueStream();
        const envelopes = await sampleEnvelopes(stream, 2);
        await harness.dispatcher.dispatch(envelopes, context(stream));
        await harness.dispatcher.dispatch(envelopes, context(stream, 0, 2));
        const back = await harness.readBack(stream, 4);
        const ids = envelopes.map((e) => e.id);
        expect(back.map((e) => e['id'])).toEqual([...ids, ...ids]);
        expect(new Set(back.map((e) => e['id'])).size).toBe(2);
      });
    }

    if (features.concurrency) {
      it('refuses a wrong expected generation with a ConcurrencyConflict and writes nothing of the batch', async () => {
        const stream = uniqueStream();
        await harness.dispatcher.dispatch(await sampleEnvelopes(stream, 2), context(stream));
        const stale = await sampleEnvelopes(stream, 2, { after: 1 });
        const attempt = harness.dispatcher.dispatch(stale, context(stream, 1));
        await expect(attempt).rejects.toThrow(ConcurrencyConflict);
        await expect(attempt).rejects.toMatchObject({
          stream,
          expectedGeneration: 1,
          actualGeneration: 2,
        });
        const back = await harness.readBack(stream, 2);
        expect(back).toHaveLength(2);
      });
    }

    it('fans out beside another target through core dispatch(), with a receipt per target', async () => {
      const memory = new InMemoryDispatcher({ name: 'memory-beside' });
      const current = { ...initial(Conformance, 'x'), stream: uniqueStream() };
      const result = await dispatch(Conformance, current, { type: 'Tick', n: 1 }, [
        harness.dispatcher,
        memory,
      ]);
      expect(result.receipts.map((r) => r.target).sort()).toEqual(
        [harness.dispatcher.name, 'memory-beside'].sort(),
      );
      const back = await harness.readBack(current.stream, 1);
      expect(back.map((e) => e['id'])).toEqual(memory.received.map((e) => e.id));
    });

    it('refuses an event over the broker limit with a typed error and never half-writes silently', async () => {
      const stream = uniqueStream();
      const [small] = await sampleEnvelopes(stream, 1);
      const [big] = await sampleEnvelopes(stream, 1, { after: 1, padding: 3 * 1024 * 1024 });
      const error: unknown = await harness.dispatcher
        .dispatch([small as Envelope, big as Envelope], context(stream))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error, 'a 3 MiB event must be refused').toBeInstanceOf(EventfanError);
      const delivered = error instanceof DispatchIncomplete ? error.delivered.map((d) => d.id) : [];
      const back = await harness.readBack(stream, delivered.length);
      expect(back.map((e) => e['id'])).toEqual(delivered);
    });

    it('reports an unreachable broker with a typed error naming the target', async () => {
      const dead = await harness.unreachable();
      const stream = uniqueStream();
      const error: unknown = await dead
        .dispatch(await sampleEnvelopes(stream, 1), context(stream))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      await dead.close?.();
      expect(error).toBeInstanceOf(EventfanError);
      expect((error as Error).message).toContain(dead.name);
    }, 60_000);

    it('through dispatch(), an unreachable target fails alone and retry() re-sends only to it', async () => {
      const dead = await harness.unreachable();
      const memory = new InMemoryDispatcher({ name: 'memory-ok' });
      const current = { ...initial(Conformance, 'x'), stream: uniqueStream() };
      const first = await dispatch(Conformance, current, { type: 'Tick', n: 1 }, [
        dead,
        memory,
      ]).catch((e: unknown) => e);
      expect(first).toBeInstanceOf(DispatchFailed);
      const failed = first as DispatchFailed;
      // A store that failed keeps publishers from publishing what was not recorded.
      const store = dead.role === 'store';
      expect(failed.failures.map((f) => [f.target, f.skipped])).toEqual(
        store
          ? [
              [dead.name, false],
              ['memory-ok', true],
            ]
          : [[dead.name, false]],
      );
      expect(memory.received).toHaveLength(store ? 0 : 1);
      const again = await failed.retry().catch((e: unknown) => e);
      await dead.close?.();
      expect(again).toBeInstanceOf(DispatchFailed);
      expect((again as DispatchFailed).failures[0]?.target).toBe(dead.name);
      // A publisher that took the events is not sent them again; one skipped behind a store never was.
      expect(memory.calls).toHaveLength(store ? 0 : 1);
    }, 90_000);

    it('closes cleanly, and closing twice is harmless', async () => {
      const own = await factory();
      await own.close();
      await expect(own.close()).resolves.toBeUndefined();
    });
  });
}
