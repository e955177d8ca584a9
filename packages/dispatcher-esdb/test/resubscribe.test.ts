import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { EventStoreDBClient } from '@eventstore/db-client';
import {
  BrokerUnavailable,
  CheckpointConflict,
  commandHandler,
  subscribe,
  type Checkpoints,
  type Incoming,
} from '@eventfan/core';
import type { EsdbTestServer } from '@eventfan/testing/esdb-server';
import {
  AccessDenied,
  esdbCheckpoints,
  esdbSource,
  type EsdbEventStore,
  type EsdbSourceOptions,
} from '../src/index.js';
import { bumper, counterNamed, CounterEvent, freshId } from './fixtures.js';
import { freshServerEachTest } from './fresh-server.js';
import { watchSubscriptions } from './harness.js';
import { until } from './source.js';

/*
 * esdbSource subscribing again after its connection failed, and not after anything else. The
 * server is the EventStoreDB test server (emulator) in this process, whose stop() severs every
 * connection from the server side at once; these are test-server (emulator) results.
 */

let server: EsdbTestServer;
let client: EventStoreDBClient;
let store: EsdbEventStore;

freshServerEachTest((fresh) => ({ server, client, store } = fresh));

/** Quick attempts, so that a test of resubscribing takes no longer than the outage. */
const QUICK = { retries: 50, minTimeoutMs: 10, maxTimeoutMs: 100 };
/** Waits long enough that a failure retried by mistake would show as a run that does not end. */
const SLOW = { retries: 5, minTimeoutMs: 30_000, maxTimeoutMs: 30_000 };
const never = new AbortController().signal;

/** A counter of its own, so that a source on its aggregate sees only this test's events. */
function counter(streams = 2) {
  const aggregate = counterNamed(`re${freshId()}`);
  // While the server is down, commands are tried again until it is back.
  const write = bumper(commandHandler({ aggregate, store }), streams, 10_000);
  return { aggregate, write };
}

/** esdbCheckpoints with its loads counted: each subscription of a run starts with one. */
function countedCheckpoints(inner: Checkpoints = esdbCheckpoints({ client })) {
  const counted = { loads: 0, checkpoints: inner };
  counted.checkpoints = {
    load: (key) => {
      counted.loads++;
      return inner.load(key);
    },
    save: (key, position, version) => inner.save(key, position, version),
  };
  return counted;
}

/** A source of this test's own on `watched`, with the options given. */
function sourceOn(
  watched: EventStoreDBClient,
  checkpoints: Checkpoints,
  options: Partial<EsdbSourceOptions>,
) {
  return esdbSource({
    client: watched,
    checkpoints,
    name: `re-${freshId()}`,
    ...options,
  } as EsdbSourceOptions);
}

/** The error a run ends with, and how long after `from` it ended. */
async function ending(run: Promise<void>, from = Date.now()) {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: Date.now() - from };
}

describe('esdbSource when its connection fails (test server (emulator), connections severed by the server)', () => {
  it('given a stream source whose server stops and starts again, when events keep coming, then it subscribes again after the last revision handled, handles each once, and status and lag keep answering', async () => {
    const { aggregate, write } = counter(1);
    const stream = aggregate.streamOf('s0');
    await write(0, 10);
    const watched = watchSubscriptions(client);
    const source = sourceOn(watched.client, esdbCheckpoints({ client }), { stream, retry: QUICK });
    const seen: number[] = [];
    const subscription = subscribe({
      source,
      events: CounterEvent,
      handler: (_, envelope) => void seen.push(envelope.generation),
    });
    await until(() => seen.length >= 10, 'the first events');
    await server.stop();
    // No lag while the server is away, and no failure either.
    expect(await subscription.status()).toMatchObject({ state: 'running', lag: undefined });
    await server.start();
    await write(10, 20);
    await until(() => seen.length >= 20, 'the events after the restart');
    expect(await subscription.status()).toMatchObject({ state: 'running', handled: 20, lag: 0 });
    await subscription.stop();
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(watched.opened.length).toBeGreaterThanOrEqual(2);
  });

  it('given the server ends the subscription by itself, when events keep coming, then the source subscribes again and misses none', async () => {
    const { aggregate, write } = counter();
    await write(0, 4);
    const watched = watchSubscriptions(client);
    const source = sourceOn(watched.client, esdbCheckpoints({ client }), {
      aggregates: [aggregate.name],
      retry: QUICK,
    });
    const seen: string[] = [];
    const subscription = subscribe({
      source,
      events: CounterEvent,
      handler: (_, envelope) => void seen.push(`${envelope.stream}#${envelope.generation}`),
    });
    await until(() => seen.length >= 4, 'the first events');
    // What the client makes of a server that ends the call: the stream ends, without an error.
    (watched.opened[0] as unknown as Readable).push(null);
    await until(() => watched.opened.length >= 2, 'a new subscription');
    await write(4, 8);
    await until(() => seen.length >= 8, 'the events after it');
    await subscription.stop();
    expect(new Set(seen).size).toBe(8);
    expect(await subscription.status()).toMatchObject({ state: 'stopped', handled: 8 });
  });

  it('given the server stays down, when the retries run out, then run rejects with BrokerUnavailable after exactly that many attempts', async () => {
    const { aggregate, write } = counter();
    await write(0, 2);
    const counted = countedCheckpoints();
    const source = sourceOn(client, counted.checkpoints, {
      aggregates: [aggregate.name],
      retry: { retries: 2, minTimeoutMs: 10, maxTimeoutMs: 20 },
    });
    let delivered = 0;
    const run = source.run(async (batch) => void (delivered += batch.length), never);
    await until(() => delivered >= 2, 'the events');
    await server.stop();
    const { error } = await ending(run);
    expect(error).toBeInstanceOf(BrokerUnavailable);
    // The run's first claim, then the 2 attempts after the drop.
    expect(counted.loads).toBe(1 + 2);
  });

  it('given a retry option out of range, when the source is built, then a TypeError names it', () => {
    const { checkpoints } = countedCheckpoints();
    const build = (retry: EsdbSourceOptions['retry']) => () =>
      sourceOn(client, checkpoints, { aggregates: ['x'], retry });
    expect(build({ retries: -1 })).toThrow(
      /esdbSource: retry.retries must be a whole number >= 0 or Infinity, got -1/,
    );
    expect(build({ retries: 1.5 })).toThrow(/retry.retries must be a whole number/);
    expect(build({ minTimeoutMs: 500, maxTimeoutMs: 100 })).toThrow(
      /esdbSource: retry needs 0 <= minTimeoutMs <= maxTimeoutMs, got 500 and 100/,
    );
    expect(build({ minTimeoutMs: Number.NaN })).toThrow(/retry needs 0 <= minTimeoutMs/);
    expect(build({ retries: Number.POSITIVE_INFINITY })).not.toThrow();
  });

  it('given a wait between attempts, when the subscription is stopped, then it ends at once', async () => {
    const { aggregate, write } = counter();
    await write(0, 2);
    const watched = watchSubscriptions(client);
    const counted = countedCheckpoints();
    const source = sourceOn(watched.client, counted.checkpoints, {
      aggregates: [aggregate.name],
      retry: SLOW,
    });
    let handled = 0;
    const subscription = subscribe({ source, events: CounterEvent, handler: () => void handled++ });
    await until(() => handled >= 2, 'the events');
    await server.stop();
    // The dropped subscription closed: the source waits 30 s or more before it tries again.
    await until(() => watched.opened[0]?.closed === true, 'the dropped subscription closed');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const from = Date.now();
    await subscription.stop();
    expect(Date.now() - from).toBeLessThan(1_000);
    expect(await subscription.status()).toMatchObject({ state: 'stopped' });
    expect(counted.loads).toBe(1);
  });

  it('given a checkpoint save whose answer is lost after it landed, when the source subscribes again, then it takes that save for its own and goes on', async () => {
    const { aggregate, write } = counter();
    await write(0, 6);
    const inner = esdbCheckpoints({ client });
    let saves = 0;
    const lossy: Checkpoints = {
      load: (key) => inner.load(key),
      async save(key, position, version) {
        const saved = await inner.save(key, position, version);
        // The first save after the claim lands, and its answer is lost on the way back.
        if (++saves === 2) throw new BrokerUnavailable('esdb-checkpoints', 'connection dropped');
        return saved;
      },
    };
    const source = sourceOn(client, lossy, {
      aggregates: [aggregate.name],
      batchSize: 2,
      retry: QUICK,
    });
    const seen: Incoming[] = [];
    const run = source.run(async (batch) => void seen.push(...batch), never);
    await until(() => seen.length >= 6, 'the first events');
    await write(6, 10);
    await until(() => seen.length >= 10, 'the events after the lost answer');
    await source.close();
    const { error } = await ending(run);
    expect(error).toBeUndefined();
    expect(new Set(seen.map((i) => i.envelope?.id)).size).toBe(10);
    expect((await inner.load(`subscription/${source.name}`))?.position).toBe(seen.at(-1)?.position);
  });

  describe('what a new subscription cannot mend ends the run at once', () => {
    it('given a handler that fails, even with BrokerUnavailable, then run rejects with its error, subscribed once', async () => {
      const { aggregate, write } = counter();
      await write(0, 2);
      const watched = watchSubscriptions(client);
      const source = sourceOn(watched.client, esdbCheckpoints({ client }), {
        aggregates: [aggregate.name],
        retry: SLOW,
      });
      const failure = new BrokerUnavailable('read-model', 'its database is down');
      const { error, ms } = await ending(source.run(() => Promise.reject(failure), never));
      expect(error).toBe(failure);
      expect(ms).toBeLessThan(5_000);
      expect(watched.opened).toHaveLength(1);
    });

    it('given another source claimed the checkpoint, then the first stops with CheckpointConflict, subscribed once', async () => {
      const { aggregate, write } = counter();
      await write(0, 2);
      const watched = watchSubscriptions(client);
      const options = { aggregates: [aggregate.name], batchSize: 1, retry: SLOW, name: freshId() };
      const first = sourceOn(watched.client, esdbCheckpoints({ client }), options);
      let delivered = 0;
      const run = first.run(async (batch) => void (delivered += batch.length), never);
      await until(() => delivered >= 2, 'the first events');
      const second = sourceOn(client, esdbCheckpoints({ client }), options);
      const claimed = second.run(async () => {}, never);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await write(2, 3);
      const { error, ms } = await ending(run);
      await second.close();
      await claimed;
      expect(error).toBeInstanceOf(CheckpointConflict);
      expect(ms).toBeLessThan(5_000);
      expect(watched.opened).toHaveLength(1);
    });

    it('given a server that refuses the client its reads, then run rejects with AccessDenied, tried once', async () => {
      const counted = countedCheckpoints();
      const source = sourceOn(client, counted.checkpoints, { retry: SLOW });
      server.injectFault('read', 'access-denied');
      const { error, ms } = await ending(source.run(async () => {}, never));
      expect(error).toBeInstanceOf(AccessDenied);
      expect(ms).toBeLessThan(5_000);
      expect(counted.loads).toBe(1);
    });

    it('given a stream source whose checkpoint is not a revision, then run rejects with the TypeError, tried once', async () => {
      const counted = countedCheckpoints();
      const name = `re-${freshId()}`;
      await counted.checkpoints.save(`subscription/${name}`, '12/12', 0);
      const source = sourceOn(client, counted.checkpoints, { name, stream: name, retry: SLOW });
      const { error, ms } = await ending(source.run(async () => {}, never));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/not a revision/);
      expect(ms).toBeLessThan(5_000);
      expect(counted.loads).toBe(1);
    });
  });
});
