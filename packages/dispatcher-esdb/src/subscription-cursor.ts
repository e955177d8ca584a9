import type { LogPosition } from '@eventfan/core';
import type {
  EsdbReadableOptions,
  EsdbRecordedEvent,
  EsdbSubscriberClient,
  EsdbSubscription,
} from './client.js';
import { HighWaterMark, parsePosition, positionText } from './log-position.js';
import { isCandidate, serverFilter } from './read-all-filter.js';

/**
 * What a source subscribes to, and how it names and passes positions: `$all` by log position
 * (`<commit>/<prepare>`, the same text `readAll` gives, so the checkpoints of a store source carry
 * over) or one stream by revision (decimal).
 */
export interface SubscriptionCursor {
  /** `$all` or the stream's name, for errors. */
  readonly label: string;
  open(client: EsdbSubscriberClient, readable: EsdbReadableOptions): EsdbSubscription;
  /** Whether an event comes after the checkpoint and is one to deliver; moves past it. */
  accept(event: EsdbRecordedEvent): boolean;
  positionOf(event: EsdbRecordedEvent): LogPosition;
}

/** `$all` after `saved`, filtered on the server by stream-name prefixes, as readAll is. */
export function allCursor(
  saved: LogPosition | undefined,
  prefixes: readonly string[] | undefined,
): SubscriptionCursor {
  const from = saved ? parsePosition(saved) : undefined;
  const seen = new HighWaterMark();
  seen.see(from);
  return {
    label: '$all',
    open: (client, readable) =>
      client.subscribeToAll(
        { fromPosition: from ?? 'start', filter: serverFilter(prefixes) },
        readable,
      ),
    accept(event) {
      // The server starts after the position; one that starts at it is held back here.
      if (!event.position || seen.covers(event.position)) return false;
      seen.see(event.position);
      return isCandidate(event, prefixes);
    },
    positionOf: (event) => positionText(event.position as NonNullable<typeof event.position>),
  };
}

/** One stream after revision `saved`. */
export function streamCursor(stream: string, saved: LogPosition | undefined): SubscriptionCursor {
  let last = saved ? BigInt(parseRevision(saved)) : -1n;
  return {
    label: stream,
    open: (client, readable) =>
      client.subscribeToStream(stream, { fromRevision: last < 0n ? 'start' : last }, readable),
    accept(event) {
      if (event.revision <= last) return false;
      last = event.revision;
      return true;
    },
    positionOf: (event) => event.revision.toString(),
  };
}

function parseRevision(text: LogPosition): string {
  if (!/^\d{1,20}$/.test(text)) {
    throw new TypeError(
      `not a revision of an EventStoreDB stream (a stream source's checkpoint): ${JSON.stringify(text)}`,
    );
  }
  return text;
}
