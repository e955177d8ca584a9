import { describe, expect, it } from 'vitest';
import { EventStoreDBClient } from '@eventstore/db-client';
import {
  BrokerUnavailable,
  commandHandler,
  initial,
  InvalidEvent,
  toEnvelopes,
} from '@eventfan/core';
import type { Envelope, Handled } from '@eventfan/core';
import { startEsdbTestServer, type EsdbTestServer } from '@eventfan/testing/esdb-server';
import { AccessDenied, esdbEventStore, NotLeader, type EsdbEventStore } from '../src/index.js';
import { Counter, freshId, type CounterCommand } from './fixtures.js';
import { freshServerEachTest } from './fresh-server.js';

/*
 * Faults need a server this file can stop, restart and make misbehave: the EventStoreDB test server
 * (emulator), started here; these are test-server (emulator) results.
 */

type Total = { total: number; sealed: boolean };

let server: EsdbTestServer;
let store: EsdbEventStore;

freshServerEachTest((fresh) => ({ server, store } = fresh));

async function storedIds(stream: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of store.read(stream)) ids.push(...page.map((e) => e.id));
  return ids;
}

async function bumps(count: number): Promise<Envelope[]> {
  const events = Array.from({ length: count }, () => ({
    type: 'Bumped' as const,
    data: { by: 1, note: '' },
  }));
  return (await toEnvelopes(Counter, initial(Counter, freshId()), events)).envelopes as Envelope[];
}

describe('esdbEventStore when the EventStoreDB test server (emulator) fails', () => {
  it('given the server restarts mid-run, when each command is retried with its commandId, then the client reconnects and nothing is lost or duplicated', async () => {
    const handler = commandHandler({ aggregate: Counter, store });
    const id = freshId();
    const failures: unknown[] = [];
    let last: Handled<Total> | undefined;
    for (let i = 1; i <= 12; i++) {
      if (i === 5) await server.stop();
      if (i === 9) server.injectFault('append', 'crash-after-commit');
      const command: CounterCommand = { type: 'Bump', by: i };
      for (let tries = 0; ; tries++) {
        try {
          last = await handler.handle(id, command, { commandId: `${id}-${i}` });
          break;
        } catch (error) {
          failures.push(error);
          if (tries >= 20) throw error;
          if (!server.running) await server.start();
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }
    expect(failures.length).toBeGreaterThanOrEqual(2);
    for (const failure of failures) expect(failure).toBeInstanceOf(BrokerUnavailable);
    expect(last?.state).toMatchObject({ generation: 12, state: { total: 78 } });
    const ids = await storedIds(Counter.streamOf(id));
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
  });

  it('given a crash right after the commit, when the same append is retried, then its receipt says duplicate and the stream holds each event once', async () => {
    const envelopes = await bumps(2);
    const stream = (envelopes[0] as Envelope).stream;
    server.injectFault('append', 'crash-after-commit');
    const lost = await store.append(stream, envelopes, 0).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(BrokerUnavailable);
    expect((lost as Error).message).toContain('may or may not have been written');
    await server.start();
    let retried;
    for (let tries = 0; !retried && tries < 20; tries++) {
      retried = await store.append(stream, envelopes, 0).catch(() => undefined);
    }
    expect(retried?.events.map((e) => e.duplicate)).toEqual([true, true]);
    expect(await storedIds(stream)).toEqual(envelopes.map((e) => e.id));
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
    'given the server answers %s, when appending, then the store raises its typed error naming the stream',
    async (_, fault, check) => {
      const envelopes = await bumps(1);
      const stream = (envelopes[0] as Envelope).stream;
      server.injectFault('append', fault);
      const error = await store.append(stream, envelopes, 0).catch((e: unknown) => e);
      check(error);
      expect((error as Error).message).toContain(stream);
      expect(await storedIds(stream)).toEqual([]);
    },
  );

  it('given a server whose append limit is below the default, when it refuses an append, then the store learns the limit and refuses the next one before sending', async () => {
    const small = await startEsdbTestServer({ maxAppendSize: 2000 });
    const smallClient = EventStoreDBClient.connectionString(small.url);
    try {
      const limited = esdbEventStore({ client: smallClient });
      const envelopes = (
        await toEnvelopes(Counter, initial(Counter, freshId()), [
          { type: 'Bumped', data: { by: 1, note: 'x'.repeat(3000) } },
        ])
      ).envelopes;
      const stream = (envelopes[0] as Envelope).stream;
      await expect(limited.append(stream, envelopes, 0)).rejects.toThrow(
        /maximum append size of 2000 bytes: nothing was written/,
      );
      await expect(limited.append(stream, envelopes, 0)).rejects.toThrow(
        /over the server's maximum append size of 2000 bytes: nothing was sent/,
      );
      await expect(limited.append(stream, envelopes, 0)).rejects.toThrow(InvalidEvent);
    } finally {
      await smallClient.dispose();
      await small.close();
    }
  });
});
