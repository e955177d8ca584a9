import type { Dispatcher, EventStore } from '@eventfan/core';

/** The broker targets the demo fans out to, and how to let go of them. */
export interface Brokers {
  readonly dispatchers: readonly Dispatcher[];
  /** Event stores among the targets, to replay from as well. */
  readonly stores: readonly { readonly name: string; readonly store: EventStore }[];
  close(): Promise<void>;
}

type Log = (line: string) => void;

/**
 * Connects to each broker whose env var is set: EventStoreDB (persists beside the in-memory store),
 * Kafka and NATS JetStream (publish). Adapters are imported only when used.
 */
export async function connectBrokers(log: Log, env = process.env): Promise<Brokers> {
  const dispatchers: Dispatcher[] = [];
  const stores: { name: string; store: EventStore }[] = [];
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse())
      await c().catch((e: unknown) => log(`closing: ${String(e)}`));
  };
  try {
    if (env['ESDB_CONNECTION_STRING']) {
      const { EventStoreDBClient } = await import('@eventstore/db-client');
      const { esdbDispatcher } = await import('@eventfan/dispatcher-esdb');
      const client = EventStoreDBClient.connectionString(env['ESDB_CONNECTION_STRING']);
      closers.push(() => client.dispose());
      const esdb = esdbDispatcher({ client, name: 'eventstoredb' });
      dispatchers.push(esdb);
      stores.push({ name: 'EventStoreDB', store: esdb.store });
      log(`EventStoreDB: ${env['ESDB_CONNECTION_STRING']}`);
    }
    if (env['KAFKA_BROKERS']) {
      const { kafkaDispatcher } = await import('@eventfan/dispatcher-kafka');
      const { logLevel } = await import('kafkajs');
      const brokers = env['KAFKA_BROKERS'].split(',');
      const kafka = kafkaDispatcher({
        kafka: { clientId: 'eventfan-demo', brokers, logLevel: logLevel.NOTHING },
      });
      closers.push(() => kafka.close());
      dispatchers.push(kafka);
      log(`Kafka: ${brokers.join(', ')} (topic "combat", key = stream)`);
    }
    if (env['NATS_URL']) {
      const { connect, headers } = await import('nats');
      const { ensureStream, natsDispatcher } = await import('@eventfan/dispatcher-nats');
      const connection = await connect({ servers: env['NATS_URL'] });
      closers.push(() => connection.close());
      const stream = await ensureStream(connection, {
        name: 'EVENTFAN_DEMO',
        subjects: ['events.combat.>'],
      });
      dispatchers.push(natsDispatcher({ connection, headers }));
      log(
        `NATS: ${env['NATS_URL']} (JetStream stream ${stream.name}, ${stream.outcome}; subject events.combat.<stream>)`,
      );
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { dispatchers, stores, close };
}
