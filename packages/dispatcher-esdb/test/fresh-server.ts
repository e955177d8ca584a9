import { afterEach, beforeEach } from 'vitest';
import { EventStoreDBClient } from '@eventstore/db-client';
import { startEsdbTestServer, type EsdbTestServer } from '@eventfan/testing/esdb-server';
import { esdbEventStore, type EsdbEventStore } from '../src/index.js';

/** What each test of a file gets afresh: the test server (emulator), a client and a store on it. */
export interface FreshServer {
  readonly server: EsdbTestServer;
  readonly client: EventStoreDBClient;
  readonly store: EsdbEventStore;
}

/**
 * Starts the test server (emulator) in this process, a client and a store before each test of
 * the file (handed to `use`), and closes them after it: for tests that stop, restart or break the
 * server.
 */
export function freshServerEachTest(use: (fresh: FreshServer) => void): void {
  let fresh: FreshServer | undefined;
  beforeEach(async () => {
    const server = await startEsdbTestServer();
    const client = EventStoreDBClient.connectionString(server.url);
    fresh = { server, client, store: esdbEventStore({ client }) };
    use(fresh);
  });
  afterEach(async () => {
    await fresh?.store.close();
    await fresh?.client.dispose();
    await fresh?.server.close();
  });
}
