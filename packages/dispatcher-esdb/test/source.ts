import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { commandHandler, subscribe } from '@eventfan/core';
import type { Envelope } from '@eventfan/core';
import { fromEsdbRecord } from '@eventfan/cloudevents';
import {
  esdbCheckpoints,
  esdbEventStore,
  esdbSource,
  type EsdbEventStore,
  type EsdbSourceOptions,
  type EsdbSubscription,
  type ParkedInfo,
} from '../src/index.js';
import { counterNamed, CounterEvent, freshId } from './fixtures.js';
import { readRecords, watchSubscriptions, type FullClient } from './harness.js';

/** Waits until `condition` holds, failing after `ms` with what it waited for. */
export async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** `stream#generation` of each envelope, grouped by stream in the order they came. */
const perStream = (seen: readonly Envelope[]) => {
  const out: Record<string, number[]> = {};
  for (const e of seen) (out[e.stream] ??= []).push(e.generation);
  return out;
};

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** esdbSource with one client package (each test file brings its own). */
export function describeEsdbSource(url: string, connect: (url: string) => FullClient): void {
  const client = connect(url);
  let store: EsdbEventStore;
  beforeAll(() => {
    store = esdbEventStore({ client });
  });
  afterAll(async () => {
    await client.dispose?.();
  });

  /** A counter of its own, so that a subscription to its aggregate sees only this test's events. */
  function counter() {
    const name = `sub${freshId()}`;
    const handler = commandHandler({ aggregate: counterNamed(name), store });
    const bump = async (count: number, streams = 3) => {
      for (let i = 0; i < count; i++)
        await handler.handle(`s${i % streams}`, { type: 'Bump', by: 1 });
    };
    return { name, bump, stream: (s: string) => `${name}-${s}` };
  }

  function consume(
    options: Omit<EsdbSourceOptions, 'client' | 'checkpoints' | 'name'> & { name?: string },
    handler: (envelope: Envelope) => void = () => {},
  ) {
    const seen: Envelope[] = [];
    const source = esdbSource({
      client,
      checkpoints: esdbCheckpoints({ client }),
      name: options.name ?? `projection-${freshId()}`,
      ...options,
    } as EsdbSourceOptions);
    const subscription = subscribe({
      source,
      events: CounterEvent,
      retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 },
      handler: (_, envelope) => {
        handler(envelope);
        seen.push(envelope);
      },
    });
    return { seen, source, subscription };
  }

  const parkedIn = async (stream: string) =>
    (await readRecords(url, stream, connect)).map((record) => ({
      record,
      parked: (record.metadata as { $parked: ParkedInfo }).$parked,
    }));

  it('given events before and after it caught up, when subscribed to an aggregate, then each is handled once, in order per stream, and no other aggregate', async () => {
    const { name, bump } = counter();
    await bump(9);
    // Its streams `<name>-x-…` match the prefix `<name>-` too: the envelope's aggregate decides.
    await commandHandler({ aggregate: counterNamed(`${name}-x`), store }).handle('s0', {
      type: 'Bump',
      by: 1,
    });
    const { seen, subscription } = consume({ aggregates: [name], batchSize: 4 });
    await until(() => seen.length >= 9, 'catching up');
    await bump(6);
    await until(() => seen.length >= 15, 'live events');
    await subscription.stop();
    expect(perStream(seen)).toEqual({
      [`${name}-s0`]: range(1, 5),
      [`${name}-s1`]: range(1, 5),
      [`${name}-s2`]: range(1, 5),
    });
    expect(new Set(seen.map((e) => e.id)).size).toBe(15);
    expect(await subscription.status()).toMatchObject({
      state: 'stopped',
      handled: 15,
      duplicates: 0,
    });
  });

  it('given a subscription stopped, when one of the same name starts again, then it continues from the saved checkpoint', async () => {
    const { name, bump } = counter();
    await bump(6);
    const sourceName = `projection-${freshId()}`;
    const first = consume({ aggregates: [name], name: sourceName, batchSize: 2 });
    await until(() => first.seen.length >= 6, 'the first run');
    await first.subscription.stop();
    await bump(3);
    // New marks: what the second run leaves out, the checkpoint left out.
    const second = consume({ aggregates: [name], name: sourceName });
    await until(() => second.seen.length >= 3, 'the second run');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await second.subscription.stop();
    expect(perStream(second.seen)).toEqual({
      [`${name}-s0`]: [3],
      [`${name}-s1`]: [3],
      [`${name}-s2`]: [3],
    });
  });

  it('given a handler that keeps failing on one event, when retried out, then the event is parked with the reason and the next ones flow', async () => {
    const { name, bump, stream } = counter();
    await bump(6);
    let attempts = 0;
    const poison = (e: Envelope) => e.stream === stream('s1') && e.generation === 1;
    const { seen, source, subscription } = consume({ aggregates: [name] }, (envelope) => {
      if (!poison(envelope)) return;
      attempts++;
      throw new Error('boom');
    });
    await until(() => seen.length >= 5, 'the other events');
    await bump(3);
    await until(() => seen.length >= 8, 'the events after it');
    await subscription.stop();
    expect(attempts).toBe(3);
    expect(seen.some(poison)).toBe(false);
    const [letter, ...more] = await parkedIn(source.deadLetterStream);
    expect(more).toEqual([]);
    expect(letter?.parked).toMatchObject({
      reason: expect.stringMatching(/the handler failed 3 times: .*boom/),
      subscription: source.name,
      stream: stream('s1'),
      revision: '0',
    });
    // The copy decodes to the CloudEvent that was parked: it can be replayed as it is.
    const [original] = await readRecords(url, stream('s1'), connect);
    expect(fromEsdbRecord(letter?.record as never)).toEqual(fromEsdbRecord(original as never));
    expect(await subscription.status()).toMatchObject({ handled: 8, parked: 1 });
  });

  it('given a record eventfan did not write among the events, when delivered, then it is parked with why it does not decode and the next ones flow', async () => {
    const { name, bump, stream } = counter();
    await bump(2);
    await client.appendToStream(
      stream('junk'),
      [
        {
          id: randomUUID(),
          contentType: 'application/json',
          type: 'someone.else',
          data: { n: 1 },
          metadata: undefined,
        },
      ],
      { expectedRevision: 'any', streamState: 'any' },
    );
    await bump(2);
    const { seen, source, subscription } = consume({ aggregates: [name] });
    await until(() => seen.length >= 4, 'the eventfan events');
    const letters = async () => parkedIn(source.deadLetterStream);
    const deadline = Date.now() + 5_000;
    while ((await letters()).length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await subscription.stop();
    const [letter] = await letters();
    expect(letter?.record).toMatchObject({ type: 'someone.else', data: { n: 1 } });
    expect(letter?.parked.reason).toMatch(/revision 0 \(someone\.else\) is not an eventfan event/);
    expect(await subscription.status()).toMatchObject({ handled: 4, parked: 1 });
  });

  it('given a subscription to one stream, when it ran, then it got that stream only and lag counts what came after', async () => {
    const { bump, stream } = counter();
    await bump(6, 2);
    const { seen, source, subscription } = consume({ stream: stream('s1') });
    await until(() => seen.length >= 3, 'the stream');
    await bump(2, 2);
    await until(() => seen.length >= 4, 'the live event');
    await subscription.stop();
    expect(perStream(seen)).toEqual({ [stream('s1')]: range(1, 4) });
    expect(await source.lag()).toBe(0);
    await bump(4, 2);
    expect(await source.lag()).toBe(2);
  });

  it('given a stopped subscription, when its client subscription is looked at, then it was cancelled and holds none of its listeners', async () => {
    const { name, bump } = counter();
    await bump(2);
    const listening = (s: EsdbSubscription) =>
      (['readable', 'error', 'end', 'close', 'confirmation'] as const).map((event) =>
        (s as unknown as NodeJS.EventEmitter).listenerCount(event),
      );
    let before: number[] = [];
    const { client: watched, opened } = watchSubscriptions(client, (s) => (before = listening(s)));
    const seen: Envelope[] = [];
    const subscription = subscribe({
      source: esdbSource({
        client: watched,
        checkpoints: esdbCheckpoints({ client }),
        name: `projection-${freshId()}`,
        aggregates: [name],
      }),
      events: CounterEvent,
      handler: (_, envelope) => void seen.push(envelope),
    });
    await until(() => seen.length >= 2, 'the events');
    await subscription.stop();
    const [one] = opened;
    expect(opened).toHaveLength(1);
    expect(one?.closed).toBe(true);
    // Each count at most what the client itself had put there before the source added its own.
    const after = listening(one as EsdbSubscription);
    expect(after.map((n, i) => n <= (before[i] ?? 0))).toEqual([true, true, true, true, true]);
    expect(after[0]).toBe(0);
  });
}
