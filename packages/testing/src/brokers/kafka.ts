import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Broker, BrokerProvider, LocalBrokerOptions, MissingBroker } from './broker.js';
import type { LocalKafkaOptions } from './kafka-config.js';
import { findJava, findKafkaLibs, KafkaProcess } from './kafka-process.js';
import { freePort } from './process.js';

export type { LocalKafkaOptions } from './kafka-config.js';

const HOW_TO_GET =
  'Set KAFKA_BROKERS=host:port, or download Apache Kafka (https://kafka.apache.org/downloads), set EVENTFAN_KAFKA_HOME to it and have Java 17+ on PATH or JAVA_HOME. Inside the eventfan repo, `npm test` fetches the jars into .cache/kafka.';

/**
 * Kafka for tests: `KAFKA_BROKERS`, else a KRaft container (`@testcontainers/kafka`), else Apache
 * Kafka's own jars run as a local single-node KRaft process on free ports with a temp log dir.
 */
export const kafkaBroker: BrokerProvider = kafkaBrokerWith();

/**
 * The Kafka provider with a configured local broker (auto-create, ACLs, extra properties). The
 * options only shape brokers this fixture starts itself; a `KAFKA_BROKERS` broker is used as is.
 */
export function kafkaBrokerWith(options: LocalKafkaOptions = {}): BrokerProvider {
  return {
    kind: 'kafka',
    envVar: 'KAFKA_BROKERS',
    howToGet: HOW_TO_GET,
    fromEnv: (url) => ({
      kind: 'kafka',
      via: 'env',
      url,
      label: `Kafka at ${url} (KAFKA_BROKERS)`,
      dispose: async () => {},
    }),
    container: startKafkaContainer,
    local: (local) => startKafkaProcess(local, options),
  };
}

async function startKafkaContainer(): Promise<Broker> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  // @testcontainers/kafka drives Confluent's image; 8.x is Apache Kafka 4.x in KRaft mode.
  const image = process.env['EVENTFAN_KAFKA_IMAGE'] ?? 'confluentinc/cp-kafka:8.1.0';
  const container = await new KafkaContainer(image).withKraft().start();
  return {
    kind: 'kafka',
    via: 'testcontainers',
    url: `${container.getHost()}:${container.getMappedPort(9093)}`,
    label: `${image} (testcontainers)`,
    dispose: async () => {
      await container.stop();
    },
  };
}

async function startKafkaProcess(
  local: LocalBrokerOptions,
  options: LocalKafkaOptions,
): Promise<Broker | MissingBroker> {
  const libs = findKafkaLibs();
  if (!libs) {
    const where = process.env['EVENTFAN_KAFKA_HOME']
      ? `EVENTFAN_KAFKA_HOME=${process.env['EVENTFAN_KAFKA_HOME']} has no libs/kafka_2.13-*.jar`
      : 'no Kafka jars in .cache/kafka/libs';
    return { kind: 'kafka', missing: where };
  }
  const java = findJava();
  if (!java) return { kind: 'kafka', missing: 'no java (set JAVA_HOME or put java 17+ on PATH)' };

  const ownDir = local.dataDir === undefined;
  const dir = local.dataDir ?? (await mkdtemp(join(tmpdir(), 'eventfan-kafka-')));
  await mkdir(dir, { recursive: true });
  const ports = await twoFreePorts();
  const kafka = new KafkaProcess(java, libs, dir, ports, options);
  if (ownDir) removeOnExit(dir);
  const dispose = async () => {
    await kafka.stop();
    if (ownDir) await rm(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  };
  try {
    await kafka.format();
    await kafka.start();
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    kind: 'kafka',
    via: 'process',
    url: `127.0.0.1:${ports.broker}`,
    label: `Apache Kafka ${kafka.version} (local KRaft process)`,
    control: {
      stop: () => kafka.stop(),
      start: () => kafka.start(),
      kill: () => kafka.kill(),
      pause: async () => kafka.pause(),
      resume: async () => kafka.resume(),
    },
    dispose,
  };
}

async function twoFreePorts(): Promise<{ broker: number; controller: number }> {
  const broker = await freePort();
  let controller = await freePort();
  while (controller === broker) controller = await freePort();
  return { broker, controller };
}

const tempDirs = new Set<string>();
let removing = false;

/** Removes a temp log dir even when the run ends without dispose() (a crash, an interrupt). */
function removeOnExit(dir: string): void {
  if (!removing) {
    process.once('exit', () =>
      tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })),
    );
  }
  removing = true;
  tempDirs.add(dir);
}
