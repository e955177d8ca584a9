import { esdbEventStore, type EsdbEventStore } from '@eventfan/dispatcher-esdb';
import { startEsdbTestServer, type EsdbTestServer } from '@eventfan/testing/esdb-server';
import { EventStoreDBClient } from '@eventstore/db-client';

/**
 * The store the killed children write to and read from: the EventStoreDB test server (emulator)
 * in the test's process, which outlives every child it serves.
 */
export interface SurvivingStore {
  readonly server: EsdbTestServer;
  readonly store: EsdbEventStore;
  close(): Promise<void>;
}

export async function startSurvivingStore(): Promise<SurvivingStore> {
  const server = await startEsdbTestServer();
  const client = EventStoreDBClient.connectionString(server.url);
  const store = esdbEventStore({ client, disposeClient: true });
  return {
    server,
    store,
    async close() {
      await store.close();
      await server.close();
    },
  };
}
