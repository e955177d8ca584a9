import { randomUUID } from 'node:crypto';
import { BrokerUnavailable, DispatchIncomplete, EventfanError, checkBatch } from '@eventfan/core';
import type { DispatchContext, Dispatcher, Envelope, EventReceipt, Receipt } from '@eventfan/core';
import { Kafka, Partitioners } from 'kafkajs';
import type { Producer, ProducerRecord, RecordMetadata, Transaction } from 'kafkajs';
import { toDispatchError } from './errors.js';
import { toTopicBatches, type TopicBatch } from './messages.js';
import { DEFAULTS, type KafkaContentMode, type KafkaDispatcherOptions } from './options.js';
import { receiptEvents, type KafkaPosition } from './receipts.js';

/**
 * Publishes a stream's events to Kafka as CloudEvents: one topic per aggregate (or as configured),
 * key = stream so a stream's events keep their order in one partition, `acks: -1`, one send per
 * topic per dispatch — or, when `transactional`, one Kafka transaction per dispatch.
 */
export class KafkaDispatcher implements Dispatcher<KafkaPosition> {
  readonly name: string;
  readonly role = 'publisher' as const;
  readonly #producer: Producer;
  /** True when this dispatcher built the producer, so it connects and disconnects it. */
  readonly #owned: boolean;
  readonly #transactional: boolean;
  readonly #topic: (envelope: Envelope) => string;
  readonly #mode: KafkaContentMode;
  readonly #timeoutMs: number;
  readonly #maxMessageBytes: number;
  readonly #compression: ProducerRecord['compression'];
  #connecting: Promise<void> | undefined;
  #closed = false;
  /** A transactional producer runs one transaction at a time: dispatches queue here. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Sends not yet settled, which close() lets finish before it disconnects. */
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(options: KafkaDispatcherOptions) {
    this.name = options.name ?? DEFAULTS.name;
    this.#transactional = options.transactional ?? false;
    this.#topic = options.topic ?? ((envelope) => envelope.aggregate);
    this.#mode = options.mode ?? DEFAULTS.mode;
    this.#timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.#maxMessageBytes = options.maxMessageBytes ?? DEFAULTS.maxMessageBytes;
    this.#compression = options.compression;
    if ('producer' in options) {
      this.#producer = options.producer;
      this.#owned = false;
    } else {
      this.#producer = new Kafka(options.kafka).producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // Java's murmur2 partitioner, named so kafkajs does not warn: keys map as in Java clients.
        createPartitioner: Partitioners.DefaultPartitioner,
        ...(this.#transactional
          ? { transactionalId: `eventfan-${this.name}-${randomUUID()}` }
          : {}),
        ...options.producerConfig,
      });
      this.#owned = true;
    }
  }

  async dispatch(
    envelopes: readonly Envelope[],
    context: DispatchContext,
  ): Promise<Receipt<KafkaPosition>> {
    if (this.#closed) {
      throw new EventfanError('DISPATCHER_CLOSED', `Kafka dispatcher "${this.name}" is closed`);
    }
    checkBatch(context.stream, envelopes, context.expectedGeneration);
    const batches = toTopicBatches(envelopes, {
      topic: this.#topic,
      mode: this.#mode,
      maxMessageBytes: this.#maxMessageBytes,
    });
    context.signal?.throwIfAborted();
    const sending = this.#transactional
      ? this.#sendInTransaction(batches, context.stream)
      : this.#sendEach(batches, context.stream);
    const results = await this.#withDeadline(sending, batches, context.stream);
    const only = batches.length === 1 ? (batches[0] as TopicBatch) : undefined;
    // One topic holds the envelopes in their order; else put each topic's back in that order.
    if (only) return { target: this.name, events: receiptEvents(only, results[0] ?? []) };
    const byId = new Map(
      batches.flatMap((batch, i) => receiptEvents(batch, results[i] ?? [])).map((e) => [e.id, e]),
    );
    return {
      target: this.name,
      events: envelopes.map((e) => byId.get(e.id) as EventReceipt<KafkaPosition>),
    };
  }

  /** Disconnects the producer this dispatcher built; a producer you passed in stays yours. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Every caller has its answer within timeoutMs; a send still hanging after that is abandoned.
    let timer: NodeJS.Timeout | undefined;
    const abandon = new Promise((resolve) => (timer = setTimeout(resolve, this.#timeoutMs)));
    await Promise.race([Promise.allSettled(this.#inFlight), abandon]);
    clearTimeout(timer);
    if (this.#owned && this.#connecting) await this.#producer.disconnect();
  }

  #connect(batches: readonly TopicBatch[], stream: string): Promise<void> {
    if (!this.#owned) return Promise.resolve();
    this.#connecting ??= this.#producer.connect().catch((error: unknown) => {
      this.#connecting = undefined;
      throw this.#failure(error, batches[0] as TopicBatch, stream);
    });
    return this.#connecting;
  }

  /** One send per topic, in order; when a later topic fails, the earlier ones are reported. */
  async #sendEach(batches: readonly TopicBatch[], stream: string): Promise<RecordMetadata[][]> {
    await this.#connect(batches, stream);
    const results: RecordMetadata[][] = [];
    for (const batch of batches) {
      try {
        results.push(await this.#producer.send(this.#record(batch)));
      } catch (error) {
        throw this.#partial(error, batches, results.length, stream);
      }
    }
    return results;
  }

  /** All topics' sends in one transaction, committed or aborted as a whole. */
  #sendInTransaction(batches: readonly TopicBatch[], stream: string): Promise<RecordMetadata[][]> {
    const run = async () => {
      await this.#connect(batches, stream);
      let transaction: Transaction;
      try {
        transaction = await this.#producer.transaction();
      } catch (error) {
        throw this.#failure(error, batches[0] as TopicBatch, stream);
      }
      let current = batches[0] as TopicBatch;
      try {
        const results: RecordMetadata[][] = [];
        for (const batch of batches) {
          current = batch;
          results.push(await transaction.send(this.#record(batch)));
        }
        await transaction.commit();
        return results;
      } catch (error) {
        // Abort so a read_committed consumer never sees any of it; if even that fails the
        // transaction times out on the broker and is aborted there.
        await transaction.abort().catch(() => {});
        throw this.#failure(error, current, stream);
      }
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => {});
    return result;
  }

  #record(batch: TopicBatch): ProducerRecord {
    return {
      topic: batch.topic,
      messages: batch.messages,
      acks: -1,
      timeout: this.#timeoutMs,
      ...(this.#compression === undefined ? {} : { compression: this.#compression }),
    };
  }

  /**
   * Fails a dispatch that outlasts `timeoutMs`. The send may still land after that: the caller
   * was told it failed and retries with the same event ids, which consumers dedupe on.
   */
  #withDeadline<T>(
    sending: Promise<T>,
    batches: readonly TopicBatch[],
    stream: string,
  ): Promise<T> {
    this.#inFlight.add(sending);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(this.#timedOut(batches, stream)), this.#timeoutMs);
      // When the deadline won, the caller already has its answer: settling again does nothing.
      sending.then(
        (results) => {
          clearTimeout(timer);
          this.#inFlight.delete(sending);
          resolve(results);
        },
        (error: unknown) => {
          clearTimeout(timer);
          this.#inFlight.delete(sending);
          reject(error);
        },
      );
    });
  }

  #timedOut(batches: readonly TopicBatch[], stream: string): BrokerUnavailable {
    const topics = batches.map((b) => `"${b.topic}"`).join(', ');
    return new BrokerUnavailable(
      this.name,
      `no acknowledgement within ${this.#timeoutMs} ms for ${batches.reduce((n, b) => n + b.messages.length, 0)} event(s) of stream "${stream}" to topic ${topics}; they may still arrive, and a retry re-sends them with the same ids`,
      { timedOut: true },
    );
  }

  #failure(error: unknown, batch: TopicBatch, stream: string): EventfanError {
    return toDispatchError(error, {
      target: this.name,
      topic: batch.topic,
      stream,
      count: batch.messages.length,
    });
  }

  /** The error for a send that failed after `done` topics were acknowledged. */
  #partial(error: unknown, batches: readonly TopicBatch[], done: number, stream: string): Error {
    const cause = this.#failure(error, batches[done] as TopicBatch, stream);
    if (done === 0) return cause;
    const delivered = batches
      .slice(0, done)
      .flatMap((b) => b.envelopes.map((e) => ({ id: e.id, generation: e.generation })));
    const undelivered = batches.slice(done).flatMap((b) => b.envelopes.map((e) => e.id));
    return new DispatchIncomplete(this.name, stream, delivered, undelivered, cause);
  }
}

/** A KafkaDispatcher: `kafkaDispatcher({ producer })` or `kafkaDispatcher({ kafka: { brokers } })`. */
export function kafkaDispatcher(options: KafkaDispatcherOptions): KafkaDispatcher {
  return new KafkaDispatcher(options);
}
