import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { acquireBroker, isMissing, kafkaBroker, startNatsProcess } from '@eventfan/testing';
import type { Broker, MissingBroker } from '@eventfan/testing';
import { startEsdbTestServer } from '@eventfan/testing/esdb-server';

/** Brokers this process started, the env vars that name them, and how to stop them. */
export interface LocalBrokers {
  readonly env: {
    readonly NATS_URL: string;
    readonly KAFKA_BROKERS: string;
    readonly ESDB_CONNECTION_STRING: string;
  };
  stop(): Promise<void>;
}

const installBrokers = fileURLToPath(
  new URL('../../../scripts/install-brokers.sh', import.meta.url),
);

/**
 * nats-server, Apache Kafka (KRaft) and the EventStoreDB test server (emulator), each of this
 * process's own on free ports. The fixtures fetch nothing, so install-brokers.sh runs first: it
 * says "already there" when `.cache` has them, and fails when they cannot be had.
 */
export async function startLocalBrokers(log: (line: string) => void): Promise<LocalBrokers> {
  const { stdout } = await promisify(execFile)('bash', [installBrokers], {
    env: { ...process.env, EVENTFAN_REQUIRE_BROKERS: '1' },
  });
  for (const line of stdout.trim().split('\n')) log(line);
  const started: { dispose(): Promise<void> }[] = [];
  const stop = async () => {
    await Promise.all(started.map((b) => b.dispose().catch(() => {})));
  };
  try {
    const own = (b: Broker | MissingBroker): Broker => {
      if (isMissing(b)) throw new Error(`cannot start ${b.kind}: ${b.missing}`);
      started.push(b);
      log(`started ${b.label} at ${b.url}`);
      return b;
    };
    const [nats, kafka, esdb] = await Promise.all([
      startNatsProcess().then(own),
      acquireBroker(kafkaBroker, { ownProcess: true }).then(own),
      startEsdbTestServer().then((server) => {
        started.push({ dispose: () => server.close() });
        log(`started ${server.label} at ${server.url}`);
        return server;
      }),
    ]);
    return {
      env: { NATS_URL: nats.url, KAFKA_BROKERS: kafka.url, ESDB_CONNECTION_STRING: esdb.url },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
