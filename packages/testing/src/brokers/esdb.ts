import type { Broker, BrokerProvider, MissingBroker } from './broker.js';
import { loadProtocol } from '../esdb-server/protocol.js';
import { startEsdbTestServer } from '../esdb-server/server.js';

const HOW_TO_GET =
  'Set ESDB_CONNECTION_STRING to a KurrentDB/EventStoreDB node (e.g. esdb://127.0.0.1:2113?tls=false), or install @eventstore/db-client or @kurrent/kurrentdb-client so the in-process test server can start.';

/** The official image; EVENTFAN_KURRENTDB_IMAGE picks another (e.g. a pinned version). */
const IMAGE = 'docker.kurrent.io/kurrent-latest/kurrentdb:latest';
const HTTP_PORT = 2113;

/**
 * EventStoreDB/KurrentDB for tests: `ESDB_CONNECTION_STRING`, else a KurrentDB container (insecure
 * single node, in-memory), else the in-process EventStoreDB test server (emulator) — a test double
 * speaking the client's wire protocol, labelled as such, whose results are test-server results.
 */
export const esdbBroker: BrokerProvider = {
  kind: 'esdb',
  envVar: 'ESDB_CONNECTION_STRING',
  howToGet: HOW_TO_GET,
  fromEnv: (url) => ({
    kind: 'esdb',
    via: 'env',
    url,
    label: `EventStoreDB/KurrentDB at ${url} (ESDB_CONNECTION_STRING)`,
    dispose: async () => {},
  }),
  container: startKurrentContainer,
  local: startTestServer,
};

async function startKurrentContainer(): Promise<Broker> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const image = process.env['EVENTFAN_KURRENTDB_IMAGE'] ?? IMAGE;
  const container = await new GenericContainer(image)
    .withEnvironment({
      KURRENTDB_INSECURE: 'true',
      KURRENTDB_RUN_PROJECTIONS: 'None',
      KURRENTDB_MEM_DB: 'true',
      // Older EventStoreDB images read the same settings under their old prefix.
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
      EVENTSTORE_MEM_DB: 'true',
    })
    .withExposedPorts(HTTP_PORT)
    .withWaitStrategy(Wait.forHttp('/health/live', HTTP_PORT).forStatusCode(204))
    .start();
  return {
    kind: 'esdb',
    via: 'testcontainers',
    url: `esdb://${container.getHost()}:${container.getMappedPort(HTTP_PORT)}?tls=false`,
    label: `${image} (testcontainers)`,
    dispose: async () => {
      await container.stop();
    },
  };
}

async function startTestServer(): Promise<Broker | MissingBroker> {
  try {
    loadProtocol();
  } catch (error) {
    return { kind: 'esdb', missing: error instanceof Error ? error.message : String(error) };
  }
  const server = await startEsdbTestServer();
  return {
    kind: 'esdb',
    via: 'test-server',
    url: server.url,
    label: `${server.label} — in-process, not EventStoreDB`,
    control: { stop: () => server.stop(), start: () => server.start() },
    dispose: () => server.close(),
  };
}
