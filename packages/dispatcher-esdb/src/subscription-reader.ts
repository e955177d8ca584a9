import type { EsdbRecordedEvent, EsdbSubscription } from './client.js';

/**
 * Takes a catch-up subscription's events in batches: whatever the client has buffered, up to
 * `size`, waiting only when it has none. Pulled with `read()`, so a handler that is slow leaves
 * events on the server instead of piling them up here. `onConfirmed` hears that the server accepted
 * the subscription. `close` cancels the subscription and removes every listener this reader added.
 */
export class SubscriptionReader {
  readonly #subscription: EsdbSubscription;
  readonly #size: number;
  readonly #onConfirmed: () => void;
  #failure: Error | undefined;
  #ended = false;
  #wake: (() => void) | undefined;
  /** Data came, or the signal fired: a wait of next() looks again. */
  readonly #wakeUp = () => this.#wake?.();
  readonly #onEnd = () => {
    this.#ended = true;
    this.#wake?.();
  };
  readonly #onError = (error: Error) => {
    this.#failure ??= error;
    this.#wake?.();
  };
  readonly #signal: AbortSignal;

  /** `signal` ends a wait of `next()` (one listener for the reader's life, not one per call). */
  constructor(
    subscription: EsdbSubscription,
    size: number,
    signal: AbortSignal,
    onConfirmed: () => void,
  ) {
    this.#subscription = subscription;
    this.#size = size;
    this.#signal = signal;
    this.#onConfirmed = onConfirmed;
    signal.addEventListener('abort', this.#wakeUp, { once: true });
    subscription.on('confirmation', onConfirmed);
    subscription.on('readable', this.#wakeUp);
    subscription.on('end', this.#onEnd);
    subscription.on('close', this.#onEnd);
    subscription.on('error', this.#onError);
  }

  /** Whether the client holds events `next()` would return at once. */
  get buffered(): boolean {
    return this.#subscription.readableLength > 0;
  }

  /** The next events, at least one; undefined once the subscription ended or the signal fired. */
  async next(): Promise<EsdbRecordedEvent[] | undefined> {
    const signal = this.#signal;
    for (;;) {
      if (this.#failure) throw this.#failure;
      if (signal.aborted) return undefined;
      const batch: EsdbRecordedEvent[] = [];
      for (let resolved; batch.length < this.#size && (resolved = this.#subscription.read());) {
        // A link whose event is gone comes without one: nothing to deliver.
        if (resolved.event) batch.push(resolved.event);
      }
      if (batch.length > 0) return batch;
      if (this.#ended) return undefined;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
      // The client pushes the messages of one network read one at a time (each through its
      // decompression step): read at the loop's next turn, once it pushed them all, so a batch
      // holds what came rather than its first event.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  async close(): Promise<void> {
    const subscription = this.#subscription;
    this.#signal.removeEventListener('abort', this.#wakeUp);
    subscription.removeListener('confirmation', this.#onConfirmed);
    subscription.removeListener('readable', this.#wakeUp);
    subscription.removeListener('end', this.#onEnd);
    subscription.removeListener('close', this.#onEnd);
    // The error listener stays until the stream closed: an error event with no listener would
    // crash the process.
    const closed = subscription.closed
      ? Promise.resolve()
      : new Promise<void>((resolve) => subscription.once('close', resolve));
    try {
      await subscription.unsubscribe();
    } finally {
      subscription.destroy();
      await closed;
      subscription.removeListener('error', this.#onError);
    }
  }
}
