import type { EventStore, LogPosition } from '../store.js';
import type { Checkpoints } from '../relay/checkpoints.js';
import { InMemoryDeadLetters, type DeadLetters } from '../relay/dead-letters.js';
import type { Incoming, SubscriptionSource } from './source.js';

export interface StoreSourceOptions {
  readonly store: EventStore;
  /** Where the subscription's position in the log is kept (the relay's checkpoints). */
  readonly checkpoints: Checkpoints;
  /** Names the subscription and its checkpoint; default `subscription`. */
  readonly name?: string;
  readonly aggregates?: readonly string[];
  /** Events per batch; default 256. */
  readonly batchSize?: number;
  /** How long to wait at the end of the log before reading again; default 100 ms. */
  readonly idleMs?: number;
  readonly deadLetters?: DeadLetters;
}

/**
 * A subscription source over any event store's log (the in-memory store, EventStoreDB's `$all`):
 * reads from its checkpoint, follows the log live, and saves the checkpoint after each batch the
 * subscription handled. Parked events go to the dead letters with the reason.
 */
export function storeSource(options: StoreSourceOptions): SubscriptionSource & {
  readonly deadLetters: DeadLetters;
} {
  const name = options.name ?? 'subscription';
  const key = `subscription/${name}`;
  const deadLetters = options.deadLetters ?? new InMemoryDeadLetters();
  const filter = options.aggregates ? { aggregates: options.aggregates } : {};
  let position: LogPosition | undefined;
  let wake: (() => void) | undefined;

  async function countAfter(after: LogPosition | undefined): Promise<number> {
    let count = 0;
    for await (const page of options.store.readAll({ ...filter, ...(after ? { after } : {}) })) {
      count += page.length;
    }
    return count;
  }

  return {
    name,
    deadLetters,
    async run(deliver, signal) {
      const saved = await options.checkpoints.load(key);
      position = saved?.position || undefined;
      // Saving again claims the subscription: a second one on the same name stands down here.
      let version = await options.checkpoints.save(key, saved?.position ?? '', saved?.version ?? 0);
      const stop = () => wake?.();
      signal.addEventListener('abort', stop, { once: true });
      try {
        while (!signal.aborted) {
          let moved = false;
          const pages = options.store.readAll({
            ...filter,
            ...(position ? { after: position } : {}),
            pageSize: options.batchSize ?? 256,
          });
          for await (const page of pages) {
            if (page.length === 0) continue;
            await deliver(
              page.map((e): Incoming => ({ envelope: e.envelope, position: e.position })),
            );
            const last = page[page.length - 1]?.position as LogPosition;
            version = await options.checkpoints.save(key, last, version);
            position = last;
            moved = true;
            if (signal.aborted) return;
          }
          if (!moved) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, options.idleMs ?? 100);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
          }
        }
      } finally {
        signal.removeEventListener('abort', stop);
      }
    },
    async park(incoming, reason) {
      if (incoming.envelope === undefined) return;
      await deadLetters.park({
        target: name,
        position: incoming.position,
        envelope: incoming.envelope,
        reason,
        time: new Date().toISOString(),
      });
    },
    lag: () => countAfter(position),
    async close() {},
  };
}
