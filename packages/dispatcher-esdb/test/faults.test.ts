import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventStoreDBClient } from '@eventstore/db-client';
import {
  BrokerUnavailable,
  dispatch,
  DispatchFailed,
  initial,
  InvalidEvent,
  toEnvelopes,
} from '@eventfan/core';
import type { Dispatched, Envelope, Versioned } from '@eventfan/core';
import { startEsdbTestServer, type EsdbTestServer } from '@eventfan/testing/esdb-server';
import {
  AccessDenied,
  esdbDispatcher,
  EsdbEventStore,
  NotLeader,
  type EsdbDispatcher,
} from '../src/index.js';
import { Counter, freshId, type CounterCommand } from './fixtures.js';

/*
 * Faults need a server this file can stop, restart and make misbehave: the EventStoreDB test server
 * (emulator), started here; these are test-server results.
 */

type State = Versioned<{ total: number; sealed: boolean }>;

let server: EsdbTestServer;
let client: EventStoreDBClient;
let dispatcher: EsdbDispatcher;

beforeEach(async () => {
  server = await startEsdbTestServer();
  client = EventStoreDBClient.connectionString(server.url);
  dispatcher = esdbDispatcher({ client });
});

afterEach(async () => {
  await client.dispose();
  await server.close();
});

/** A dispatch, retried (as core's DispatchFailed.retry() does) until the client has reconnected. */
async function dispatchThrough(
  current: State,
  command: CounterCommand,
): Promise<{ result: Dispatched<State['state']>; failures: Error[] }> {
  const failures: Error[] = [];
  let attempt: () => Promise<Dispatched<State['state']>> = () =>
    dispatch(Counter, current, command, [dispatcher]);
  for (let tries = 0; tries < 20; tries++) {
    try {
      return { result: await attempt(), failures };
    } catch (error) {
      if (!(error instanceof DispatchFailed)) throw error;
      failures.push(...error.failures.map((f) => f.error));
      if (!server.running) await server.start();
      attempt = () => error.retry() as Promise<Dispatched<State['state']>>;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(
    `no dispatch went through after 20 tries: ${failures.map((f) => f.message).join('; ')}`,
  );
}

async function storedIds(stream: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const envelope of dispatcher.store.read(stream)) ids.push(envelope.id);
  return ids;
}

describe('esdbDispatcher when the EventStoreDB test server fails', () => {
  it('given the server restarts mid-run, when the run goes on with retries, then the client reconnects and nothing is lost or duplicated', async () => {
    let current: State = initial(Counter, freshId());
    const sent: string[] = [];
    const failures: Error[] = [];
    for (let i = 1; i <= 12; i++) {
      if (i === 5) await server.stop();
      if (i === 9) server.injectFault('append', 'crash-after-commit');
      const step = await dispatchThrough(current, { type: 'Bump', by: i });
      current = step.result.state;
      sent.push(...step.result.envelopes.map((e) => e.id));
      failures.push(...step.failures);
    }
    expect(failures.length).toBeGreaterThanOrEqual(2);
    for (const failure of failures) expect(failure).toBeInstanceOf(BrokerUnavailable);
    expect(current.generation).toBe(12);
    expect(await storedIds(current.stream)).toEqual(sent);
  });

  it('given a crash right after the commit, when the dispatch is retried, then the receipt says duplicate and the stream holds each event once', async () => {
    const start: State = initial(Counter, freshId());
    server.injectFault('append', 'crash-after-commit');
    const error = await dispatch(Counter, start, { type: 'BumpTwice', by: 1 }, [dispatcher]).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DispatchFailed);
    const lost = (error as DispatchFailed).failures[0]?.error;
    expect(lost).toBeInstanceOf(BrokerUnavailable);
    expect(lost?.message).toContain('may or may not have been written');
    await server.start();
    const failed = error as DispatchFailed<Dispatched<State['state']>>;
    let retried: Dispatched<State['state']> | undefined;
    for (let tries = 0; !retried && tries < 20; tries++) {
      retried = await failed.retry().catch(() => undefined);
    }
    const receipt = retried?.receipts.find((r) => r.target === dispatcher.name);
    expect(receipt?.events.map((e) => e.duplicate)).toEqual([true, true]);
    expect(await storedIds(start.stream)).toHaveLength(2);
  });

  const refusals: [
    string,
    Parameters<EsdbTestServer['injectFault']>[1],
    (error: unknown) => void,
  ][] = [
    ['not leader', 'not-leader', (e) => expect(e).toBeInstanceOf(NotLeader)],
    ['access denied', 'access-denied', (e) => expect(e).toBeInstanceOf(AccessDenied)],
    ['a commit timeout', 'timeout', (e) => expect(e).toMatchObject({ code: 'BROKER_TIMEOUT' })],
  ];

  it.each(refusals)(
    'given the server answers %s, when dispatching, then the store raises its typed error naming the stream',
    async (_, fault, check) => {
      const current: State = initial(Counter, freshId());
      const [envelope] = (
        await toEnvelopes(Counter, current, [{ type: 'Bumped', data: { by: 1, note: '' } }])
      ).envelopes as [Envelope];
      server.injectFault('append', fault);
      const error = await dispatcher
        .dispatch([envelope], {
          aggregate: 'counter',
          stream: current.stream,
          expectedGeneration: 0,
          attempt: 1,
        })
        .catch((e: unknown) => e);
      check(error);
      expect((error as Error).message).toContain(current.stream);
      expect(await storedIds(current.stream)).toEqual([]);
    },
  );

  it('given a server whose append limit is below the default, when it refuses an append, then the store learns the limit and refuses the next one before sending', async () => {
    const small = await startEsdbTestServer({ maxAppendSize: 2000 });
    const smallClient = EventStoreDBClient.connectionString(small.url);
    try {
      const store = new EsdbEventStore(smallClient);
      const current: State = initial(Counter, freshId());
      const envelopes = (
        await toEnvelopes(Counter, current, [
          { type: 'Bumped', data: { by: 1, note: 'x'.repeat(3000) } },
        ])
      ).envelopes;
      await expect(store.append(current.stream, envelopes, 0)).rejects.toThrow(
        /maximum append size of 2000 bytes: nothing was written/,
      );
      await expect(store.append(current.stream, envelopes, 0)).rejects.toThrow(
        /over the server's maximum append size of 2000 bytes: nothing was sent/,
      );
      await expect(store.append(current.stream, envelopes, 0)).rejects.toThrow(InvalidEvent);
    } finally {
      await smallClient.dispose();
      await small.close();
    }
  });
});
