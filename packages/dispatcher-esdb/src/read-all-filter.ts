import type { Envelope } from '@eventfan/core';
import type { EsdbFilter, EsdbRecordedEvent } from './client.js';
import { isParked } from './dead-letter.js';
import { SNAPSHOT_EVENT_TYPE } from './snapshots.js';

/**
 * What `$all` is filtered by on the server. Aggregates are asked for by the prefix of their stream
 * names (`<aggregate>-` by default, the aggregate's own `streamOf`): the server matches prefixes on
 * its index of stream names, and it is EventStoreDB's own category convention. The event type would
 * not do: it names an event family, which any number of aggregates may share. Without aggregates,
 * system events (`$`-types) are left out.
 */
export function serverFilter(prefixes: readonly string[] | undefined): EsdbFilter {
  return prefixes
    ? { filterOn: 'streamName', prefixes: [...prefixes], checkpointInterval: 1 }
    : { filterOn: 'eventType', regex: '^[^$]', checkpointInterval: 1 };
}

/**
 * The same choice once more on this side: @eventstore/db-client 6.x cannot send a filter with a
 * read of `$all`, and the snapshot records of a custom companion stream and the dead-letter copies
 * a subscription parked may match a prefix.
 */
export function isCandidate(
  event: EsdbRecordedEvent,
  prefixes: readonly string[] | undefined,
): boolean {
  if (event.type.startsWith('$') || event.streamId.startsWith('$')) return false;
  if (event.type === SNAPSHOT_EVENT_TYPE || isParked(event)) return false;
  return !prefixes || prefixes.some((prefix) => event.streamId.startsWith(prefix));
}

/** A prefix may match a longer aggregate name (`order-` matches `order-line-7`): the envelope decides. */
export function isWanted(envelope: Envelope, aggregates: ReadonlySet<string> | undefined): boolean {
  return !aggregates || aggregates.has(envelope.aggregate);
}
