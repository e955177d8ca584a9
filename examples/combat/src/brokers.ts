import {
  InMemoryCheckpoints,
  InMemoryEventStore,
  InMemoryPublisher,
  storeSource,
} from '@eventfan/core';
import type { EventStore, Publisher, SubscriptionSource } from '@eventfan/core';

/** Where the demo keeps and publishes its events, and how to let go of them. */
export interface Targets {
  readonly store: EventStore;
  readonly publishers: readonly Publisher[];
  /**
   * A subscription source for the leaderboard, from the beginning: Kafka's topic or NATS's
   * stream when those brokers are used, else the store's own log. `name` keeps each run's
   * consumer group or durable its own.
   */
  leaderboardSource(name: string): SubscriptionSource;
  close(): Promise<void>;
}

type SourceFactory = (name: string) => SubscriptionSource;

type Log = (line: string) => void;

/**
 * The embedded default — the in-memory store and two in-memory publishers — unless env vars name
 * brokers: EventStoreDB (`ESDB_CONNECTION_STRING`) becomes the store, Kafka (`KAFKA_BROKERS`) and
 * NATS JetStream (`NATS_URL`) the publishers. Adapters are imported only when used.
 */
export async function connectTargets(log: Log, env = process.env): Promise<Targets> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse())
      await c().catch((e: unknown) => log(`closing: ${String(e)}`));
  };
  try {
    const store = await connectStore(log, env, closers);
    const sources: SourceFactory[] = [];
    const publishers = await connectPublishers(log, env, closers, sources);
    const fromStore: SourceFactory = (name) =>
      storeSource({
        store,
        name: `${store.name}'s log (${name})`,
        checkpoints: new InMemoryCheckpoints(),
        aggregates: ['combat'],
      });
    return { store, publishers, leaderboardSource: sources[0] ?? fromStore, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function connectStore(
  log: Log,
  env: NodeJS.ProcessEnv,
  closers: (() => Promise<void>)[],
): Promise<EventStore> {
  const url = env['ESDB_CONNECTION_STRING'];
  if (!url) return new InMemoryEventStore({ name: 'in-memory store' });
  const { EventStoreDBClient } = await import('@eventstore/db-client');
  const { esdbEventStore } = await import('@eventfan/dispatcher-esdb');
  const store = esdbEventStore({
    client: EventStoreDBClient.connectionString(url),
    name: 'eventstoredb',
    disposeClient: true,
  });
  closers.push(() => store.close());
  log(`EventStoreDB: ${url}`);
  return store;
}

async function connectPublishers(
  log: Log,
  env: NodeJS.ProcessEnv,
  closers: (() => Promise<void>)[],
  sources: SourceFactory[],
): Promise<Publisher[]> {
  const publishers: Publisher[] = [];
  if (env['KAFKA_BROKERS']) {
    const { kafkaPublisher, kafkaSource } = await import('@eventfan/dispatcher-kafka');
    const { logLevel } = await import('kafkajs');
    const brokers = env['KAFKA_BROKERS'].split(',');
    const kafka = kafkaPublisher({
      kafka: { clientId: 'eventfan-demo', brokers, logLevel: logLevel.NOTHING },
    });
    closers.push(() => kafka.close());
    publishers.push(kafka);
    const config = { clientId: 'eventfan-demo', brokers, logLevel: logLevel.NOTHING };
    sources.push((name) =>
      kafkaSource({
        kafka: config,
        groupId: name,
        topics: ['combat'],
        fromBeginning: true,
        name: `Kafka topic "combat" (group ${name})`,
      }),
    );
    log(`Kafka: ${brokers.join(', ')} (topic "combat", key = stream)`);
  }
  if (env['NATS_URL']) {
    const { connect, headers } = await import('nats');
    const { ensureStream, natsPublisher, natsSource } = await import('@eventfan/dispatcher-nats');
    const connection = await connect({ servers: env['NATS_URL'] });
    closers.push(() => connection.close());
    const stream = await ensureStream(connection, {
      name: 'EVENTFAN_DEMO',
      subjects: ['events.combat.>'],
    });
    const nats = natsPublisher({ connection, headers });
    closers.push(() => nats.close());
    publishers.push(nats);
    sources.push((name) =>
      natsSource({
        connection,
        headers,
        stream: stream.name,
        durable: name,
        filterSubject: 'events.combat.>',
        name: `NATS stream ${stream.name} (durable ${name})`,
      }),
    );
    log(`NATS: ${env['NATS_URL']} (JetStream stream ${stream.name}, ${stream.outcome})`);
  }
  if (publishers.length === 0) {
    // No broker named: fan out to two embedded publishers, so the demo shows one receipt each.
    publishers.push(new InMemoryPublisher({ name: 'in-memory bus' }));
    publishers.push(new InMemoryPublisher({ name: 'in-memory audit log' }));
  }
  return publishers;
}
