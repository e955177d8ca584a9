/**
 * Turns a push source (kafkajs's `eachMessage`) into an async iterable. `push` resolves once there
 * is room again, so a slow stdout holds the consumer back instead of filling memory.
 */
export class AsyncQueue<T extends object> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  readonly #limit: number;
  #ended = false;
  #failure: { error: unknown } | undefined;
  #wakeReader: (() => void) | undefined;
  #wakeWriters: (() => void)[] = [];

  constructor(limit = 1_000) {
    this.#limit = limit;
  }

  async push(item: T): Promise<void> {
    if (this.#ended) return;
    this.#items.push(item);
    this.#wake();
    while (this.#items.length >= this.#limit && !this.#ended) {
      await new Promise<void>((resolve) => this.#wakeWriters.push(resolve));
    }
  }

  /** No more items: the reader ends once it took what is queued. */
  end(): void {
    this.#ended = true;
    this.#wake();
    this.#releaseWriters();
  }

  /** The reader throws `error` after what is queued. */
  fail(error: unknown): void {
    this.#failure ??= { error };
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.#items.shift();
      if (item !== undefined) {
        this.#releaseWriters();
        yield item;
        continue;
      }
      if (this.#ended) {
        if (this.#failure) throw this.#failure.error;
        return;
      }
      await new Promise<void>((resolve) => (this.#wakeReader = resolve));
    }
  }

  #wake(): void {
    const wake = this.#wakeReader;
    this.#wakeReader = undefined;
    wake?.();
  }

  #releaseWriters(): void {
    const writers = this.#wakeWriters;
    this.#wakeWriters = [];
    for (const release of writers) release();
  }
}
