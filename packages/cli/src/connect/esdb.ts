import type { EsdbClient, EsdbRecordedEvent, EsdbResolvedEvent } from '@eventfan/dispatcher-esdb';
import { CliError, messageOf } from '../errors.js';
import { ifInstalled } from '../optional.js';

const CLIENTS = ['@eventstore/db-client', '@kurrent/kurrentdb-client'];

/** A recorded event as either client gives it (the ESDB adapter's own shape of it). */
export type EsdbRecorded = EsdbRecordedEvent;
export type EsdbResolved = EsdbResolvedEvent;

/** `confirmation`: the server started the subscription; `error`, `close`: it will not. */
export const SUBSCRIPTION_STARTS = ['confirmation', 'error', 'close'] as const;
export type SubscriptionStart = (typeof SUBSCRIPTION_STARTS)[number];

export interface EsdbSubscription extends AsyncIterable<EsdbResolved> {
  unsubscribe(): Promise<void>;
  once(event: SubscriptionStart, listener: () => void): unknown;
  removeListener(event: SubscriptionStart, listener: () => void): unknown;
}

type From = 'start' | 'end';

/** What `tail` uses of `EventStoreDBClient` / `KurrentDBClient`: both clients have it. */
export interface EsdbTailClient {
  readStream(
    stream: string,
    options: { fromRevision: From; direction: 'forwards' | 'backwards'; maxCount?: number },
  ): AsyncIterable<EsdbResolved>;
  readAll(options: {
    fromPosition: From;
    direction: 'forwards' | 'backwards';
    maxCount?: number;
  }): AsyncIterable<EsdbResolved>;
  subscribeToStream(stream: string, options: { fromRevision: From }): EsdbSubscription;
  subscribeToAll(options: { fromPosition: From; filter?: unknown }): EsdbSubscription;
}

export interface EsdbConnection {
  readonly url: string;
  /** The client as `tail` reads it. */
  readonly client: EsdbTailClient;
  /** The same client as `esdbEventStore` takes it. */
  readonly storeClient: EsdbClient;
  /** The client's filter that leaves the node's own `$`-events out of `$all`. */
  readonly excludeSystemEvents: unknown;
  close(): Promise<void>;
}

/** How long closing may take: @eventstore/db-client's dispose() can wait forever after a cancelled read. */
const DISPOSE_MS = 2_000;

function disposeWithin(client: { dispose(): Promise<void> }, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([client.dispose().catch(() => {}), late]).finally(() => clearTimeout(timer));
}

interface ClientModule {
  readonly connectionString: (url: string) => unknown;
  readonly filter: unknown;
}

/**
 * Connects with the client for the URL's scheme: `kurrentdb://` with @kurrent/kurrentdb-client,
 * `esdb://` with @eventstore/db-client (the Kurrent client warns on that scheme), each falling
 * back to the other one installed. The clients connect lazily, so one read of `$all` proves the
 * node answers before any command starts.
 */
export async function connectEsdb(url: string, purpose: string): Promise<EsdbConnection> {
  const module = await loadClient(url, purpose);
  let raw: unknown;
  try {
    raw = module.connectionString(url);
  } catch (error) {
    throw new CliError(`bad EventStoreDB connection string "${url}": ${messageOf(error)}`);
  }
  // Both clients are structurally these two interfaces; their generic overloads do not unify.
  const client = raw as EsdbTailClient & EsdbClient & { dispose(): Promise<void> };
  try {
    // Read to its end (one event at most): a read cancelled half-way makes dispose() hang.
    const probe = client.readAll({ fromPosition: 'start', direction: 'forwards', maxCount: 1 });
    for await (const resolved of probe) void resolved;
  } catch (error) {
    await client.dispose().catch(() => {});
    throw new CliError(`cannot reach EventStoreDB at ${url}: ${messageOf(error)}`, undefined, {
      cause: error,
    });
  }
  return {
    url,
    client,
    storeClient: client,
    excludeSystemEvents: module.filter,
    close: () => disposeWithin(client, DISPOSE_MS),
  };
}

async function loadClient(url: string, purpose: string): Promise<ClientModule> {
  const kurrent = async (): Promise<ClientModule> => {
    const m = await import('@kurrent/kurrentdb-client');
    return {
      connectionString: (u) => m.KurrentDBClient.connectionString(u),
      filter: m.excludeSystemEvents(),
    };
  };
  const eventstore = async (): Promise<ClientModule> => {
    const m = await import('@eventstore/db-client');
    return {
      connectionString: (u) => m.EventStoreDBClient.connectionString(u),
      filter: m.excludeSystemEvents(),
    };
  };
  const order = /^(kurrentdb|kdb)(\+discover)?:/i.test(url)
    ? [kurrent, eventstore]
    : [eventstore, kurrent];
  for (const load of order) {
    const loaded = await ifInstalled(load, CLIENTS);
    if (loaded) return loaded;
  }
  throw new CliError(`install @eventstore/db-client (or @kurrent/kurrentdb-client) to ${purpose}`);
}
