import { persistTo } from '@eventfan/core';
import type { Dispatcher, Envelope, EventStore } from '@eventfan/core';
import type { EsdbClient } from './client.js';
import { EsdbEventStore, type EsdbEventStoreOptions, type EsdbPosition } from './store.js';

export interface EsdbDispatcherOptions extends EsdbEventStoreOptions {
  /** An `EventStoreDBClient` (`@eventstore/db-client`) or `KurrentDBClient` (`@kurrent/kurrentdb-client`). */
  readonly client: EsdbClient;
  /** Save a snapshot each time the generation passes a multiple of this (0 or absent: never). */
  readonly snapshotEvery?: number;
  /** Dispose of the client on `close()`; default false, the client stays the caller's. */
  readonly disposeClient?: boolean;
}

/** A `store` dispatcher that also gives access to the event store it writes to (for `load`). */
export interface EsdbDispatcher extends Dispatcher<EsdbPosition> {
  readonly store: EsdbEventStore;
  close(): Promise<void>;
}

/**
 * Persists each dispatch to EventStoreDB/KurrentDB with one append: event id = envelope id, the
 * expected revision from the generation, the receipt with revisions and log position. A store
 * dispatcher, so publishers only run once the events are recorded. A retry (attempt > 1) first looks
 * whether the events are already there, and answers `duplicate: true` if so.
 */
export function esdbDispatcher(options: EsdbDispatcherOptions): EsdbDispatcher {
  const { client } = options;
  const store = new EsdbEventStore(client, options);
  let closed = false;
  return {
    name: store.name,
    role: 'store',
    store,
    async dispatch(envelopes, context) {
      const retry = context.attempt > 1;
      // core's persistTo does the snapshotting; this view tells the store whether to look for repeats.
      const view: EventStore = {
        append: (stream: string, batch: readonly Envelope[], expected: number) =>
          store.append(stream, batch, expected, { checkDuplicates: retry }),
        read: (stream, from) => store.read(stream, from),
        readSnapshot: (stream) => store.readSnapshot(stream),
        writeSnapshot: (stream, snapshot) => store.writeSnapshot(stream, snapshot),
      };
      const persisted = persistTo(view, {
        name: store.name,
        snapshotEvery: options.snapshotEvery ?? 0,
      });
      return (await persisted.dispatch(envelopes, context)) as Awaited<
        ReturnType<EsdbDispatcher['dispatch']>
      >;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (options.disposeClient) await client.dispose?.();
    },
  };
}
