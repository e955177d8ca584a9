import type { EventEmitter } from 'node:events';

/** What a subscription delivered, in order: `<stream>@<revision>`, `caughtUp`, `checkpoint@<commit>`. */
export interface SubscriptionProbe {
  readonly seen: string[];
  /** Waits until `predicate` holds for what was seen; fails after `ms` with what was seen. */
  until(predicate: (seen: readonly string[]) => boolean, ms?: number): Promise<void>;
}

/** A recorded event as both clients deliver it. */
interface Delivered {
  readonly event?: { readonly streamId: string; readonly revision: bigint };
}

/**
 * Records what a subscription of either client delivers. `checkpoint` records one checkpoint;
 * pass it to the filter's `checkpointReached` (the clients call that, not an event).
 */
export function probe(subscription: EventEmitter): SubscriptionProbe & {
  checkpoint(position: { commit: bigint }): void;
} {
  const seen: string[] = [];
  subscription.on('data', (resolved: Delivered) => {
    if (resolved.event) seen.push(`${resolved.event.streamId}@${resolved.event.revision}`);
  });
  subscription.on('caughtUp', () => seen.push('caughtUp'));
  subscription.on('error', (error: Error) => seen.push(`error:${error.constructor.name}`));
  return {
    seen,
    checkpoint: (position) => seen.push(`checkpoint@${position.commit}`),
    async until(predicate, ms = 5000) {
      const deadline = Date.now() + ms;
      while (!predicate(seen)) {
        if (Date.now() > deadline)
          throw new Error(`subscription did not get there in ${ms} ms; seen: ${seen.join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}

/** Waits until `condition` holds (polling), failing after `ms`. */
export async function eventually(condition: () => boolean, what: string, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen in ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
