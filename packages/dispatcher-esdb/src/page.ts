import type { EsdbRecordedEvent, EsdbResolvedEvent } from './client.js';
import { fromClientError } from './errors.js';

/**
 * The events of one read call; a missing stream has none. A caller that stops early leaves the
 * rest of the page to be read here: a read cut off client-side would keep its call open.
 */
export async function* recordsOf(
  reading: AsyncIterable<EsdbResolvedEvent>,
  site: { readonly target: string; readonly stream: string },
): AsyncIterable<EsdbRecordedEvent> {
  const events = reading[Symbol.asyncIterator]();
  let done = false;
  try {
    for (let next = await events.next(); !next.done; next = await events.next()) {
      if (next.value.event) yield next.value.event;
    }
    done = true;
  } catch (error) {
    done = true;
    if (isStreamNotFound(error)) return;
    throw fromClientError(error, site);
  } finally {
    if (!done) await drain(events);
  }
}

async function drain(events: AsyncIterator<unknown>): Promise<void> {
  try {
    while (!(await events.next()).done);
  } catch {
    // The caller has left already; a failure now has no one to tell.
  }
}

function isStreamNotFound(error: unknown): boolean {
  return (error as { type?: unknown } | null)?.type === 'stream-not-found';
}
