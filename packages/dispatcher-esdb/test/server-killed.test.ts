import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStoreDBClient } from '@eventstore/db-client';
import { commandHandler, subscribe } from '@eventfan/core';
import { freePort } from '@eventfan/testing';
import { esdbCheckpoints, esdbEventStore, esdbSource } from '../src/index.js';
import { kill, startChild } from './child.js';
import type { ServerSettings } from './children/esdb-server.child.js';
import {
  bumper,
  counterNamed,
  CounterEvent,
  eachInOrder,
  freshId,
  generationsByStream,
} from './fixtures.js';
import { readRecords, watchSubscriptions } from './harness.js';
import { until } from './source.js';

/*
 * The server dies under a subscription: the EventStoreDB test server (emulator) runs in a child
 * process with a data file, and is SIGKILLed twice mid-stream — every connection to it drops — then
 * started again on the same port and file while events are still being written. The subscriber
 * (esdbSource + subscribe) runs in this process and is never restarted. These are test-server
 * (emulator) results.
 */

const STREAMS = 20;
const TOTAL = 2_000;
const KILL_AT = [500, 1_300];
/** How long the server stays dead each time, on top of the new process's start. */
const DEAD_MS = 300;

let dir: string;
let settings: ServerSettings;
let server: ChildProcess | undefined;

/** The server process on `settings`, once it serves. */
async function startServer(): Promise<ChildProcess> {
  const child = startChild('esdb-server.child.ts', settings);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`the test server exited before it served: ${signal ?? code}`)),
    );
  });
  return child;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eventfan-server-killed-'));
  settings = { port: await freePort(), dataFile: join(dir, 'log.jsonl') };
  server = await startServer();
});
afterAll(async () => {
  if (server) await kill(server);
  await rm(dir, { recursive: true, force: true });
});

describe('esdbSource when the server process dies (test server (emulator) in a child process, SIGKILLed, its data file kept)', () => {
  it('given 2 SIGKILLs of the server and restarts on the same port while 2,000 events over 20 streams are written, when subscribed, then it resubscribes by itself and handles every event once, in order per stream', async () => {
    const url = `esdb://127.0.0.1:${settings.port}?tls=false`;
    // The writer and the subscriber each have their own client, as two processes would.
    const writerClient = EventStoreDBClient.connectionString(url);
    const store = esdbEventStore({ client: writerClient });
    const aggregate = `dies${freshId()}`;
    const counter = counterNamed(aggregate);
    // A command that fails while the server is dead is retried, with its commandId, until it is in.
    const write = bumper(commandHandler({ aggregate: counter, store }), STREAMS, 60_000);

    const client = EventStoreDBClient.connectionString(url);
    const watched = watchSubscriptions(client);
    const handled: string[] = [];
    const subscription = subscribe({
      source: esdbSource({
        client: watched.client,
        checkpoints: esdbCheckpoints({ client }),
        name: `dies-${freshId()}`,
        aggregates: [aggregate],
        batchSize: 50,
      }),
      events: CounterEvent,
      handler: (_, envelope) => void handled.push(`${envelope.stream}#${envelope.generation}`),
    });

    await write(0, TOTAL / 4);
    const writing = write(TOTAL / 4, TOTAL);
    for (const at of KILL_AT) {
      await until(() => handled.length >= at, `${at} handled`, 60_000);
      await kill(server as ChildProcess);
      server = undefined;
      await new Promise((resolve) => setTimeout(resolve, DEAD_MS));
      // The subscription is between two servers, not failed.
      expect(await subscription.status()).toMatchObject({ state: 'running' });
      server = await startServer();
    }
    await writing;
    await until(() => handled.length >= TOTAL, 'every event handled', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const status = await subscription.status();
    await subscription.stop();

    // What the server holds, read by a client of its own: the independent count.
    const stored = [];
    for (let s = 0; s < STREAMS; s++) {
      const stream = counter.streamOf(`s${s}`);
      for (const record of await readRecords(url, stream, (u) =>
        EventStoreDBClient.connectionString(u),
      )) {
        stored.push(`${stream}#${Number(record.revision) + 1}`);
      }
    }
    await store.close();
    await Promise.all([client.dispose(), writerClient.dispose()]);
    console.info(
      `[server killed] ${handled.length} of ${TOTAL} handled, ${new Set(handled).size} distinct, ${stored.length} stored, ${watched.opened.length} subscriptions, duplicates suppressed ${status.duplicates}; EventStoreDB test server (emulator) in a child process`,
    );
    expect(status).toMatchObject({ state: 'running', handled: TOTAL });
    expect(stored).toHaveLength(TOTAL);
    expect(new Set(handled)).toEqual(new Set(stored));
    expect(handled).toHaveLength(TOTAL);
    expect(generationsByStream(handled)).toEqual(eachInOrder(STREAMS, TOTAL / STREAMS));
    // The first subscription and at least one after each kill: it resubscribed by itself.
    expect(watched.opened.length).toBeGreaterThanOrEqual(1 + KILL_AT.length);
  }, 180_000);
});
