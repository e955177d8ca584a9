import { checkPublishBatch } from './adapter/batch.js';
import { assertOpen } from './adapter/closed.js';
import { siteOf } from './adapter/encode.js';
import type { Envelope } from './envelope.js';
import { InvalidEvent, OperationAborted } from './errors.js';
import type { Prepared, PublishContext, Publisher, Receipt } from './publisher.js';

export interface InMemoryPublisherOptions {
  /** The target's name in receipts; default `memory`. */
  readonly name?: string;
  /** Refuse in pre-flight an event whose JSON data is larger, as a broker with a limit would. */
  readonly maxEventBytes?: number;
}

export type InMemoryPublisherPosition = { readonly index: number };

/**
 * A publisher that records what it got, dropping re-sent ids like a deduplicating broker. For
 * tests and the demo: `failNext(error)` makes the next publish throw without recording anything.
 */
export class InMemoryPublisher implements Publisher<InMemoryPublisherPosition> {
  readonly name: string;
  /** Every envelope accepted, in order, without duplicates. */
  readonly received: Envelope[] = [];
  /** Every publish call, including failed and duplicate ones. */
  readonly calls: { envelopes: readonly Envelope[]; context: PublishContext }[] = [];
  readonly #index = new Map<string, number>();
  readonly #failures: Error[] = [];
  readonly #maxEventBytes: number | undefined;
  #closed = false;

  constructor(options: InMemoryPublisherOptions = {}) {
    this.name = options.name ?? 'memory';
    this.#maxEventBytes = options.maxEventBytes;
  }

  /** The next `times` publishes throw `error`. */
  failNext(error: Error, times = 1): this {
    for (let i = 0; i < times; i++) this.#failures.push(error);
    return this;
  }

  prepare(envelopes: readonly Envelope[]): Prepared {
    assertOpen(this.name, this.#closed);
    const stream = checkPublishBatch(this.name, envelopes);
    const max = this.#maxEventBytes;
    for (const envelope of max === undefined ? [] : envelopes) {
      const bytes = Buffer.byteLength(JSON.stringify(envelope.data ?? null));
      if (max !== undefined && bytes > max) {
        throw new InvalidEvent(
          `data of ${bytes} bytes is over the ${max}-byte limit (maxEventBytes)`,
          siteOf(this.name, envelope),
        );
      }
    }
    return { target: this.name, stream, envelopes };
  }

  async publish(
    prepared: Prepared,
    context: PublishContext = { attempt: 1 },
  ): Promise<Receipt<InMemoryPublisherPosition>> {
    assertOpen(this.name, this.#closed);
    this.calls.push({ envelopes: prepared.envelopes, context });
    if (context.signal?.aborted) {
      throw new OperationAborted(this.name, prepared.stream, context.signal.reason);
    }
    const failure = this.#failures.shift();
    if (failure) throw failure;
    const events = prepared.envelopes.map((envelope) => {
      const seen = this.#index.get(envelope.id);
      const index = seen ?? this.received.push(envelope) - 1;
      if (seen === undefined) this.#index.set(envelope.id, index);
      return {
        id: envelope.id,
        generation: envelope.generation,
        duplicate: seen !== undefined,
        position: { index },
      };
    });
    return { target: this.name, events };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /** What was received for one stream, in order. */
  stream(stream: string): Envelope[] {
    return this.received.filter((e) => e.stream === stream);
  }
}
