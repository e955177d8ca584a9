import { createServer } from 'node:net';
import { EventStoreDBClient } from '@eventstore/db-client';
import { fromEsdbRecord } from '@eventfan/cloudevents';
import type { ConformanceHarness, ReadBackEvent } from '@eventfan/testing';
import { esdbDispatcher } from '../src/index.js';

/** Everything a stream holds, read by a client of its own and decoded to CloudEvents. */
export async function readBack(url: string, stream: string): Promise<ReadBackEvent[]> {
  const reader = EventStoreDBClient.connectionString(url);
  const events: ReadBackEvent[] = [];
  try {
    for await (const resolved of reader.readStream(stream)) {
      if (resolved.event) events.push({ ...fromEsdbRecord(resolved.event) });
    }
  } catch (error) {
    if ((error as { type?: unknown }).type !== 'stream-not-found') throw error;
  } finally {
    await reader.dispose();
  }
  return events;
}

/** A port nothing listens on: taken from the OS, then released. */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** The conformance harness for the ESDB dispatcher on the broker at `url`. */
export async function esdbHarness(url: string): Promise<ConformanceHarness> {
  const client = EventStoreDBClient.connectionString(url);
  const dispatcher = esdbDispatcher(client, { disposeClient: true });
  let closed = false;
  return {
    dispatcher,
    readBack: (stream) => readBack(url, stream),
    unreachable: async () =>
      esdbDispatcher(
        EventStoreDBClient.connectionString(
          `esdb://127.0.0.1:${await closedPort()}?tls=false&defaultDeadline=2000`,
        ),
        { name: 'esdb-unreachable', disposeClient: true },
      ),
    close: async () => {
      if (closed) return;
      closed = true;
      await dispatcher.close();
    },
  };
}
