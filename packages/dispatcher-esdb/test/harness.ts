import { fromEsdbRecord } from '@eventfan/cloudevents';
import type { ReadBackEvent, StoreHarness } from '@eventfan/testing/conformance';
import {
  esdbEventStore,
  type EsdbCheckpointClient,
  type EsdbClient,
  type EsdbRecordedEvent,
  type EsdbSubscriberClient,
  type EsdbSubscription,
} from '../src/index.js';

/**
 * Makes a client of one package. The two packages' generated protobuf code clashes in one process,
 * so this file imports neither and each test file brings its own.
 */
export type ClientFactory = (url: string) => EsdbClient;

/** A client with all the store, the checkpoints and the subscription source use. */
export type FullClient = EsdbClient & EsdbSubscriberClient & EsdbCheckpointClient;

const FROM_START = {
  fromRevision: 'start',
  direction: 'forwards',
  maxCount: Number.MAX_SAFE_INTEGER,
} as const;

/** Everything a stream holds, read by a client of its own and decoded to CloudEvents. */
export async function readBack(
  url: string,
  stream: string,
  connect: ClientFactory,
): Promise<ReadBackEvent[]> {
  return (await readRecords(url, stream, connect)).map((record) => ({
    ...fromEsdbRecord(record),
  }));
}

/** Everything a stream holds, as the records a client of its own reads. */
export async function readRecords(
  url: string,
  stream: string,
  connect: ClientFactory,
): Promise<EsdbRecordedEvent[]> {
  const reader = connect(url);
  const events: EsdbRecordedEvent[] = [];
  try {
    for await (const resolved of reader.readStream(stream, FROM_START)) {
      if (resolved.event) events.push(resolved.event);
    }
  } catch (error) {
    if ((error as { type?: unknown }).type !== 'stream-not-found') throw error;
  } finally {
    await reader.dispose?.();
  }
  return events;
}

/** The store conformance harness on the broker at `url`: a store that owns its client. */
export async function esdbStoreHarness(url: string, connect: ClientFactory): Promise<StoreHarness> {
  const store = esdbEventStore({ client: connect(url), disposeClient: true });
  return { store, close: () => store.close() };
}

/**
 * The client with the catch-up subscriptions it opens kept in `opened` (and shown to `onOpen`), to
 * see how often a source subscribed and what it left on them; every other call goes to `client`.
 */
export function watchSubscriptions<C extends EsdbSubscriberClient>(
  client: C,
  onOpen: (subscription: EsdbSubscription) => void = () => {},
): { readonly client: C; readonly opened: EsdbSubscription[] } {
  const opened: EsdbSubscription[] = [];
  const seen = (subscription: EsdbSubscription) => {
    onOpen(subscription);
    opened.push(subscription);
    return subscription;
  };
  const watched = Object.assign(Object.create(client) as C, {
    subscribeToAll: (...args: Parameters<EsdbSubscriberClient['subscribeToAll']>) =>
      seen(client.subscribeToAll(...args)),
    subscribeToStream: (...args: Parameters<EsdbSubscriberClient['subscribeToStream']>) =>
      seen(client.subscribeToStream(...args)),
  });
  return { client: watched, opened };
}
