import { fromEsdbRecord } from '@eventfan/cloudevents';
import {
  SUBSCRIPTION_STARTS,
  type EsdbConnection,
  type EsdbRecorded,
  type EsdbResolved,
  type EsdbSubscription,
} from '../connect/esdb.js';
import { CliError } from '../errors.js';
import { decoded, type Tailed, type TailOptions } from './source.js';

/** The record type eventfan keeps snapshots under (dispatcher-esdb's SNAPSHOT_EVENT_TYPE). */
const SNAPSHOT_TYPE = 'eventfan.snapshot';

/**
 * The CloudEvents of an EventStoreDB stream, or of the whole log with `$all` (the node's own
 * `$`-events and eventfan's snapshots left out). A read stops at the end; `--follow` subscribes.
 */
export async function* tailEsdb(
  link: EsdbConnection,
  stream: string,
  options: TailOptions,
): AsyncIterable<Tailed> {
  const all = stream === '$all';
  if (!options.follow) {
    if (options.from === 'end') return;
    const reads = all
      ? link.client.readAll({ fromPosition: 'start', direction: 'forwards' })
      : link.client.readStream(stream, { fromRevision: 'start', direction: 'forwards' });
    try {
      yield* events(reads, options.signal);
    } catch (error) {
      if ((error as { type?: unknown }).type === 'stream-not-found') {
        throw new CliError(`EventStoreDB stream "${stream}" does not exist at ${link.url}`);
      }
      throw error;
    }
    return;
  }
  const fromStart = options.from === 'beginning' ? 'start' : 'end';
  const subscription: EsdbSubscription = all
    ? link.client.subscribeToAll({ fromPosition: fromStart, filter: link.excludeSystemEvents })
    : link.client.subscribeToStream(stream, { fromRevision: fromStart });
  const stop = () => void subscription.unsubscribe().catch(() => {});
  options.signal.addEventListener('abort', stop, { once: true });
  // Ready once the server has started it: "from the end" is the end when the server starts it,
  // and an event appended before that would never be printed.
  await started(subscription, options.signal);
  options.onReady(all ? 'EventStoreDB $all' : `EventStoreDB stream ${stream}`);
  try {
    yield* events(subscription, options.signal);
  } finally {
    options.signal.removeEventListener('abort', stop);
    stop();
  }
}

/** Settles once the server confirmed the subscription, or it failed (reading reports why). */
function started(subscription: EsdbSubscription, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      for (const event of SUBSCRIPTION_STARTS) subscription.removeListener(event, done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    for (const event of SUBSCRIPTION_STARTS) subscription.once(event, done);
    signal.addEventListener('abort', done, { once: true });
  });
}

async function* events(
  reads: AsyncIterable<EsdbResolved>,
  signal: AbortSignal,
): AsyncIterable<Tailed> {
  for await (const resolved of reads) {
    if (signal.aborted) return;
    const event = resolved.event;
    if (event === undefined || isSkipped(event)) continue;
    yield decoded(`${event.streamId}@${event.revision}`, () => fromEsdbRecord(event));
  }
}

function isSkipped(event: EsdbRecorded): boolean {
  return (
    event.streamId.startsWith('$') || event.type.startsWith('$') || event.type === SNAPSHOT_TYPE
  );
}
