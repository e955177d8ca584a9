import {
  FileCheckpoints,
  relay,
  type EventStore,
  type Publisher,
  type Relay,
} from '@eventfan/core';
import { esdbEventStore } from '@eventfan/dispatcher-esdb';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Combat } from '../../../src/combat.js';
import { recordingSends, recordToFile } from '../support/sends.js';
import { FAULT_TARGETS } from '../support/targets.js';
import { finishRequested, sendsFileOf, type ChildSettings } from './settings.js';

/** A child's store, publishers and relay, as every fault-test child wires them. */
export interface Wiring {
  readonly store: EventStore;
  readonly outbox: Relay;
  /** Publishers of their own for inline publishing, recording their sends like the relay's. */
  readonly inline: readonly Publisher[];
  close(): Promise<void>;
}

export async function wire(settings: ChildSettings): Promise<Wiring> {
  const client = EventStoreDBClient.connectionString(settings.esdbUrl);
  const store = esdbEventStore({ client, disposeClient: true });
  const connections = await Promise.all(
    settings.targets.map(async ({ kind, url }) => ({
      kind,
      connection: await FAULT_TARGETS[kind].connect(url, settings.run),
    })),
  );
  const publishers = () =>
    connections.map(({ kind, connection }) =>
      recordingSends(connection.publisher(), recordToFile(sendsFileOf(settings, kind))),
    );
  const outbox = relay({
    store,
    publishers: publishers(),
    checkpoints: new FileCheckpoints(settings.checkpointsFile),
    aggregates: [Combat.name],
    batchSize: 100,
    idleMs: 20,
    retry: { minTimeoutMs: 50, maxTimeoutMs: 500 },
    // On stderr, which the test shows when this child fails.
    onReport: (target, what) => console.error(`relay ${target}: ${what}`),
  });
  return {
    store,
    outbox,
    inline: settings.inline ? publishers() : [],
    async close() {
      await Promise.all(connections.map(({ connection }) => connection.close()));
      await store.close();
    },
  };
}

export const publishedByRelay = (outbox: Relay) => () =>
  outbox.status().reduce((sum, s) => sum + s.published, 0);

/**
 * Once the test asks the child to finish: the relay publishes what is stored and stops, the
 * wiring closes, and the child says `done` and exits.
 */
export async function finishWhenAsked(wiring: Wiring, stopReporting: () => void): Promise<never> {
  await finishRequested();
  await wiring.outbox.caughtUp({ timeoutMs: 60_000 });
  await wiring.outbox.stop();
  stopReporting();
  await wiring.close();
  console.log('done');
  process.exit(0);
}
