import type { EventStore } from '@eventfan/core';
import type { EsdbConnection } from '../connect/esdb.js';
import { CliError } from '../errors.js';

/**
 * How many events the replay will read, for the bar. A stream: its last revision + 1, one read.
 * `$all`: there is no count short of reading, so it is counted in a pass of its own.
 */
export async function totalOf(
  link: EsdbConnection,
  store: EventStore,
  source: string,
  aggregates: readonly string[] | undefined,
): Promise<number> {
  if (source === '$all') {
    let total = 0;
    for await (const page of store.readAll(aggregates ? { aggregates } : {})) total += page.length;
    return total;
  }
  try {
    const last = link.client.readStream(source, {
      fromRevision: 'end',
      direction: 'backwards',
      maxCount: 1,
    });
    for await (const resolved of last) {
      if (resolved.event) return Number(resolved.event.revision) + 1;
    }
    return 0;
  } catch (error) {
    if ((error as { type?: unknown }).type === 'stream-not-found') {
      throw new CliError(`EventStoreDB stream "${source}" does not exist at ${link.url}`);
    }
    throw error;
  }
}
