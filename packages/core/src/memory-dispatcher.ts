import type { DispatchContext, Dispatcher, Receipt } from './dispatcher.js';
import type { Envelope } from './envelope.js';
import { InvalidEvent } from './errors.js';

export interface InMemoryDispatcherOptions {
  readonly name?: string;
  readonly role?: 'store' | 'publisher';
  /** Refuse (InvalidEvent, nothing recorded) an event whose JSON data is larger, like a broker would. */
  readonly maxEventBytes?: number;
}

/**
 * A dispatcher that records what it got, dropping re-sent ids like a deduplicating broker. For
 * users' own tests: `failNext(error)` makes the next dispatch throw without recording anything.
 */
export class InMemoryDispatcher implements Dispatcher<{ index: number }> {
  readonly name: string;
  readonly role: 'store' | 'publisher';
  /** Every envelope accepted, in order, without duplicates. */
  readonly received: Envelope[] = [];
  /** Every call, with its context, including failed and duplicate ones. */
  readonly calls: { envelopes: readonly Envelope[]; context: DispatchContext }[] = [];
  readonly #index = new Map<string, number>();
  readonly #failures: Error[] = [];
  readonly #maxEventBytes: number;

  constructor(options: InMemoryDispatcherOptions = {}) {
    this.name = options.name ?? 'memory';
    this.role = options.role ?? 'publisher';
    this.#maxEventBytes = options.maxEventBytes ?? Number.POSITIVE_INFINITY;
  }

  /** The next `times` dispatches throw `error`. */
  failNext(error: Error, times = 1): this {
    for (let i = 0; i < times; i++) this.#failures.push(error);
    return this;
  }

  async dispatch(
    envelopes: readonly Envelope[],
    context: DispatchContext,
  ): Promise<Receipt<{ index: number }>> {
    this.calls.push({ envelopes, context });
    const failure = this.#failures.shift();
    if (failure) throw failure;
    for (const envelope of this.#maxEventBytes === Number.POSITIVE_INFINITY ? [] : envelopes) {
      const bytes = Buffer.byteLength(JSON.stringify(envelope.data));
      if (bytes > this.#maxEventBytes) {
        throw new InvalidEvent(
          `data of ${bytes} bytes is over the ${this.#maxEventBytes}-byte limit of "${this.name}"`,
          {
            stream: envelope.stream,
            generation: envelope.generation,
            type: envelope.type,
          },
        );
      }
    }
    const events = envelopes.map((envelope) => {
      const seen = this.#index.get(envelope.id);
      if (seen !== undefined)
        return {
          id: envelope.id,
          generation: envelope.generation,
          duplicate: true,
          position: { index: seen },
        };
      const index = this.received.push(envelope) - 1;
      this.#index.set(envelope.id, index);
      return {
        id: envelope.id,
        generation: envelope.generation,
        duplicate: false,
        position: { index },
      };
    });
    return { target: this.name, events };
  }

  /** What was received for one stream, in order. */
  stream(stream: string): Envelope[] {
    return this.received.filter((e) => e.stream === stream);
  }
}
