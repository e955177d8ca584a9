import { randomUUID } from 'node:crypto';
import type { ReadReq } from '@eventstore/db-client/generated/streams_pb.js';
import { READ_BATCH_SIZE, allFilter, type AllFilter } from './all-filter.js';
import type { MemoryLog, RecordedEvent } from './memory-log.js';
import type { Protocol } from './protocol.js';
import { allPosition, drained, type ReadCall } from './reads.js';
import { rpcErrors } from './rpc-errors.js';
import { DELETED_STREAM, TOMBSTONE_EVENT_TYPE } from './stream-metadata.js';
import { checkpointResponse, readResponse, streamName } from './wire.js';

/**
 * Catch-up subscriptions (Streams.Read with the subscription option), as the server runs them:
 * a confirmation, the events already written, `caughtUp`, then live events as they are appended,
 * until the client cancels. Both kinds walk the one log in commit order, so nothing appended during
 * the catch-up is missed or sent twice. Each open subscription is in `open` (its closer), so a
 * stopping server ends them all.
 */
export async function serveSubscription(
  call: ReadCall,
  protocol: Protocol,
  log: MemoryLog,
  options: ReadReq.Options,
  open: Set<() => void>,
): Promise<void> {
  const plan = subscriptionPlan(log, options);
  if (plan instanceof Error) throw plan;
  const { streams } = protocol;
  const structuredIds = options.getUuidOption()?.hasStructured() ?? false;

  let ended = false;
  let wake: (() => void) | undefined;
  const unwatch = log.watch(() => wake?.());
  const end = () => {
    if (ended) return;
    ended = true;
    unwatch();
    open.delete(end);
    wake?.();
  };
  open.add(end);
  call.on('cancelled', end);
  call.on('close', end);

  const send = async (resp: ReturnType<typeof readResponse>) => {
    if (!call.write(resp)) await drained(call);
  };
  try {
    const confirmation = new streams.ReadResp.SubscriptionConfirmation().setSubscriptionId(
      randomUUID(),
    );
    await send(new streams.ReadResp().setConfirmation(confirmation));
    const checkpoints = plan.filter && new Checkpoints(plan.filter);
    let cursor = plan.start;
    let live = false;
    while (!ended && !call.cancelled && !call.destroyed) {
      const event = log.at(cursor);
      if (!event) {
        if (!live) {
          live = true;
          await send(new streams.ReadResp().setCaughtUp(new streams.ReadResp.CaughtUp()));
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      cursor++;
      if (plan.stream !== undefined && isTombstoneOf(plan.stream, event))
        throw rpcErrors.streamDeleted(plan.stream);
      const matches = plan.matches(event);
      if (matches) await send(readResponse(protocol, event, structuredIds));
      const checkpoint = live
        ? checkpoints?.live(event)
        : checkpoints?.catchUp(event, matches, cursor >= log.length);
      if (checkpoint !== undefined) await send(checkpointResponse(protocol, checkpoint));
    }
    if (!call.cancelled && !call.destroyed) call.end();
  } finally {
    end();
  }
}

interface Plan {
  /** The index in the log the catch-up starts at. */
  readonly start: number;
  readonly matches: (event: RecordedEvent) => boolean;
  /** The subscribed stream; undefined for `$all`. */
  readonly stream?: string;
  readonly filter?: AllFilter;
}

function subscriptionPlan(log: MemoryLog, options: ReadReq.Options): Plan | Error {
  const all = options.getAll();
  if (all) {
    const filter = allFilter(options);
    if (filter instanceof Error) return filter;
    const from = allPosition(all);
    // From a position the server starts after the first event at or past it.
    const start =
      from === 'start'
        ? 0
        : from === 'end'
          ? log.length
          : Math.min(log.indexFrom(from) + 1, log.length);
    return filter
      ? { start, matches: (event) => filter.matches(event), filter }
      : { start, matches: () => true };
  }
  const source = options.getStream();
  if (!source) return rpcErrors.invalidArgument('Read names neither a stream nor $all');
  const stream = streamName(source.getStreamIdentifier());
  // From a revision, the server sends the events after it.
  const after = source.hasStart()
    ? -1
    : source.hasEnd()
      ? log.current(stream)
      : Number(source.getRevision());
  const first = log.read(stream, after + 1, 'forwards', 1);
  if (first.kind === 'stream-deleted') return rpcErrors.streamDeleted(stream);
  const [event] = first.kind === 'events' ? first.events : [];
  return {
    start: event ? log.indexFrom(event.position) : log.length,
    matches: (e) => e.stream === stream && e.revision > BigInt(after),
    stream,
  };
}

function isTombstoneOf(stream: string, event: RecordedEvent): boolean {
  return (
    event.stream === stream &&
    event.revision === DELETED_STREAM &&
    event.type === TOMBSTONE_EVENT_TYPE
  );
}

/**
 * When a filtered subscription reports a checkpoint, as the server counts: during the catch-up per
 * page (at most `window` events looked at, or READ_BATCH_SIZE matches) once the events looked at
 * reach the interval, at the page's last match (else its start); live, at the event that makes the
 * count reach the interval.
 */
class Checkpoints {
  readonly #filter: AllFilter;
  #counter = 0;
  #page = { considered: 0, matched: 0, start: 0, lastMatch: undefined as number | undefined };

  constructor(filter: AllFilter) {
    this.#filter = filter;
  }

  catchUp(event: RecordedEvent, matched: boolean, atEnd: boolean): number | undefined {
    const page = this.#page;
    if (page.considered === 0) page.start = event.position;
    page.considered++;
    if (matched) {
      page.matched++;
      page.lastMatch = event.position;
    }
    if (page.considered < this.#filter.window && page.matched < READ_BATCH_SIZE && !atEnd)
      return undefined;
    this.#counter += page.considered;
    this.#page = { considered: 0, matched: 0, start: 0, lastMatch: undefined };
    // The page that reaches the end hands over to the live phase instead.
    if (atEnd || this.#counter < this.#filter.checkpointInterval) return undefined;
    this.#counter %= this.#filter.checkpointInterval;
    return page.lastMatch ?? page.start;
  }

  live(event: RecordedEvent): number | undefined {
    if (++this.#counter < this.#filter.checkpointInterval) return undefined;
    this.#counter = 0;
    return event.position;
  }
}
