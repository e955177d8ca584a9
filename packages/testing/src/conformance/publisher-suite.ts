import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BrokerUnavailable,
  commandHandler,
  DispatchFailed,
  InMemoryEventStore,
  InMemoryPublisher,
  InvalidEvent,
  OperationAborted,
  TargetClosed,
} from '@eventfan/core';
import type { Envelope, Publisher } from '@eventfan/core';
import { BAD_INPUTS } from './bad-input.js';
import { Conformance, sampleEnvelopes, uniqueStream } from './events.js';

/** What a broker cannot do, so the suite checks the right promise for it (Watermill's features). */
export interface PublisherFeatures {
  /** The broker drops a re-sent event id (JetStream Nats-Msg-Id) and says so in the receipt. */
  readonly dedupe: boolean;
}

/** A decoded CloudEvent as an independent consumer read it back. */
export type ReadBackEvent = Readonly<Record<string, unknown>>;

export interface PublisherHarness {
  readonly publisher: Publisher;
  /**
   * Everything the broker holds for the stream, in order, read by an independent consumer and
   * decoded to CloudEvents. Waits (a few seconds at most) until at least `atLeast` are there.
   */
  readBack(stream: string, atLeast: number): Promise<readonly ReadBackEvent[]>;
  /** A publisher of the same kind whose broker does not answer, with short timeouts. */
  unreachable(): Promise<Publisher>;
  close(): Promise<void>;
}

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

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** Every row of the bad-input table, refused by `prepare` with exactly InvalidEvent. */
function describeBadInput(harness: () => PublisherHarness): void {
  describe('refuses bad input in prepare with InvalidEvent naming the target, sending nothing', () => {
    for (const bad of BAD_INPUTS) {
      it(bad.name, async () => {
        const { publisher } = harness();
        const batch = await bad.make();
        let error: unknown;
        try {
          publisher.prepare(batch);
        } catch (e) {
          error = e;
        }
        expect(error, `${bad.name} must be refused`).toBeInstanceOf(InvalidEvent);
        expect((error as InvalidEvent).where.target).toBe(publisher.name);
      });
    }
  });
}

/**
 * The universal suite every publisher passes against its real broker: ordering per stream,
 * receipts, re-sent ids, the bad-input table and the exact error class of each situation
 * (bad input, oversized, closed, unreachable, aborted), and — through the command handler — that
 * an event the publisher cannot take is never stored.
 */
export function describePublisherConformance(
  name: string,
  factory: () => Promise<PublisherHarness>,
  features: PublisherFeatures,
): void {
  describe(`${name} — publisher conformance`, () => {
    let harness: PublisherHarness;
    beforeAll(async () => {
      harness = await factory();
    });
    afterAll(async () => {
      await harness?.close();
    });
    const publish = (envelopes: readonly Envelope[], attempt = 1) =>
      harness.publisher.publish(harness.publisher.prepare(envelopes), { attempt });

    it('delivers every event of a stream in order, with one receipt entry per event', async () => {
      const stream = uniqueStream();
      const envelopes = await sampleEnvelopes(stream, 5);
      const receipt = await publish(envelopes);
      expect(receipt.target).toBe(harness.publisher.name);
      expect(receipt.events.map((e) => [e.id, e.generation, e.duplicate])).toEqual(
        envelopes.map((e) => [e.id, e.generation, false]),
      );
      for (const event of receipt.events) {
        expect(Object.keys(event.position).length).toBeGreaterThan(0);
      }
      const back = await harness.readBack(stream, 5);
      expect(back.map(received)).toEqual(envelopes.map(sent));
    });

    it('keeps each stream in its own order when streams are published concurrently', async () => {
      const streams = [uniqueStream(), uniqueStream(), uniqueStream()];
      const batches = await Promise.all(streams.map((s) => sampleEnvelopes(s, 4)));
      await Promise.all(batches.map((batch) => publish(batch.slice(0, 2))));
      await Promise.all(batches.map((batch) => publish(batch.slice(2))));
      for (const [i, stream] of streams.entries()) {
        const back = await harness.readBack(stream, 4);
        expect(back.map((e) => e['id'])).toEqual((batches[i] as Envelope[]).map((e) => e.id));
      }
    });

    if (features.dedupe) {
      it('drops a re-sent batch (same ids) and says duplicate in the receipt', async () => {
        const stream = uniqueStream();
        const envelopes = await sampleEnvelopes(stream, 3);
        await publish(envelopes);
        const again = await publish(envelopes, 2);
        expect(again.events.map((e) => e.duplicate)).toEqual([true, true, true]);
        const back = await harness.readBack(stream, 3);
        expect(back.map((e) => e['id'])).toEqual(envelopes.map((e) => e.id));
      });
    } else {
      it('re-sends a retried batch with the same ids, so consumers can drop the duplicates', async () => {
        const stream = uniqueStream();
        const envelopes = await sampleEnvelopes(stream, 2);
        await publish(envelopes);
        await publish(envelopes, 2);
        const back = await harness.readBack(stream, 4);
        const ids = envelopes.map((e) => e.id);
        expect(back.map((e) => e['id'])).toEqual([...ids, ...ids]);
      });
    }

    describeBadInput(() => harness);

    it('refuses an event over the broker limit in prepare with InvalidEvent', async () => {
      const stream = uniqueStream();
      const [small] = await sampleEnvelopes(stream, 1);
      const [big] = await sampleEnvelopes(stream, 1, { after: 1, padding: 3 * 1024 * 1024 });
      expect(() => harness.publisher.prepare([small as Envelope, big as Envelope])).toThrow(
        InvalidEvent,
      );
    });

    it('through the command handler, an event the publisher refuses is never stored', async () => {
      const store = new InMemoryEventStore();
      const handler = commandHandler({
        aggregate: Conformance,
        store,
        publishers: [new InMemoryPublisher({ name: 'beside' }), harness.publisher],
      });
      const attempt = handler.handle(uniqueStream('x'), {
        type: 'Tick',
        n: 1,
        padding: 3 * 1024 * 1024,
      });
      await expect(attempt).rejects.toThrow(InvalidEvent);
      await expect(attempt).rejects.toMatchObject({ where: { target: harness.publisher.name } });
      expect(store.size).toBe(0);
    });

    it('fans out beside another publisher through the command handler, a receipt per target', async () => {
      const store = new InMemoryEventStore();
      const beside = new InMemoryPublisher({ name: 'beside' });
      const handler = commandHandler({
        aggregate: Conformance,
        store,
        publishers: [harness.publisher, beside],
      });
      const id = uniqueStream('x');
      const result = await handler.handle(id, { type: 'Tick', n: 1 });
      expect(result.receipts.map((r) => r.target)).toEqual([
        store.name,
        harness.publisher.name,
        'beside',
      ]);
      const back = await harness.readBack(Conformance.streamOf(id), 1);
      expect(back.map((e) => e['id'])).toEqual(beside.received.map((e) => e.id));
    });

    it('the same commandId handled again reaches the broker with the same ids', async () => {
      const store = new InMemoryEventStore();
      const handler = commandHandler({
        aggregate: Conformance,
        store,
        publishers: [harness.publisher],
      });
      const id = uniqueStream('x');
      const first = await handler.handle(id, { type: 'Tick', n: 1 }, { commandId: `c-${id}` });
      const again = await handler.handle(id, { type: 'Tick', n: 1 }, { commandId: `c-${id}` });
      expect(again.duplicate).toBe(true);
      expect(again.envelopes.map((e) => e.id)).toEqual(first.envelopes.map((e) => e.id));
      const published = again.receipts[1]?.events.map((e) => e.duplicate);
      expect(published).toEqual([features.dedupe]);
      const back = await harness.readBack(Conformance.streamOf(id), features.dedupe ? 1 : 2);
      expect(new Set(back.map((e) => e['id']))).toEqual(new Set(first.envelopes.map((e) => e.id)));
    });

    it('an already-aborted signal is OperationAborted, and nothing reaches the broker', async () => {
      const stream = uniqueStream();
      const prepared = harness.publisher.prepare(await sampleEnvelopes(stream, 1));
      const signal = AbortSignal.abort(new Error('caller gave up'));
      const error = await failure(harness.publisher.publish(prepared, { attempt: 1, signal }));
      expect(error).toBeInstanceOf(OperationAborted);
      expect(await harness.readBack(stream, 0)).toEqual([]);
    });

    it('an unreachable broker is BrokerUnavailable naming the target', async () => {
      const dead = await harness.unreachable();
      const error = await failure(
        dead.publish(dead.prepare(await sampleEnvelopes(uniqueStream(), 1)), { attempt: 1 }),
      );
      await dead.close();
      expect(error).toBeInstanceOf(BrokerUnavailable);
      expect((error as Error).message).toContain(dead.name);
    }, 60_000);

    it('through the handler, an unreachable publisher fails alone and retry() re-sends only to it', async () => {
      const dead = await harness.unreachable();
      const beside = new InMemoryPublisher({ name: 'beside' });
      const store = new InMemoryEventStore();
      const handler = commandHandler({ aggregate: Conformance, store, publishers: [dead, beside] });
      const first = await failure(handler.handle(uniqueStream('x'), { type: 'Tick', n: 1 }));
      expect(first).toBeInstanceOf(DispatchFailed);
      const failed = first as DispatchFailed;
      expect(failed.failures.map((f) => f.target)).toEqual([dead.name]);
      expect(failed.retriable).toBe(true);
      expect([store.size, beside.received.length]).toEqual([1, 1]);
      const again = await failure(failed.retry());
      await dead.close();
      expect(again).toBeInstanceOf(DispatchFailed);
      expect((again as DispatchFailed).failures.map((f) => f.target)).toEqual([dead.name]);
      expect(beside.calls).toHaveLength(1);
    }, 90_000);

    it('after close, prepare and publish are TargetClosed; closing twice is harmless', async () => {
      const own = await factory();
      const prepared = own.publisher.prepare(await sampleEnvelopes(uniqueStream(), 1));
      await own.close();
      await expect(own.close()).resolves.toBeUndefined();
      expect(() => own.publisher.prepare([])).toThrow(TargetClosed);
      expect(await failure(own.publisher.publish(prepared, { attempt: 1 }))).toBeInstanceOf(
        TargetClosed,
      );
    });
  });
}
