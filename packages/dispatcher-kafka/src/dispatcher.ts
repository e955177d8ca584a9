import { randomUUID } from 'node:crypto';
import { BrokerUnavailable, DispatchIncomplete, EventfanError, checkBatch } from '@eventfan/core';
import type { DispatchContext, Dispatcher, Envelope, EventReceipt, Receipt } from '@eventfan/core';
import { Kafka, Partitioners } from 'kafkajs';
import type { Producer, ProducerRecord, RecordMetadata, Transaction } from 'kafkajs';
import { toDispatchError } from './errors.js';
import { givenProducer, ownedProducer, type ProducerSlot } from './producer-slot.js';
import { queuedSend } from './queued-send.js';
import { SendQueue } from './send-queue.js';
import { outcomeUncertain } from './uncertain.js';
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
  readonly #transactional: boolean;
  readonly #topic: (envelope: Envelope) => string;
  readonly #mode: KafkaContentMode;
  readonly #timeoutMs: number;
  readonly #maxMessageBytes: number;
  readonly #compression: ProducerRecord['compression'];
  #closed = false;
  /** The producer, replaced after a send of uncertain outcome when this dispatcher built it. */
  readonly #slot: ProducerSlot;
  /**
   * Every send of the producer, one at a time: a send that reuses the sequence numbers of one
   * that failed must be that same batch (kafkajs's retry), never another dispatch's; and a
   * transactional producer has one open transaction.
   */
  readonly #queue = new SendQueue();

  constructor(options: KafkaDispatcherOptions) {
    this.name = options.name ?? DEFAULTS.name;
    this.#transactional = options.transactional ?? false;
    this.#topic = options.topic ?? ((envelope) => envelope.aggregate);
    this.#mode = options.mode ?? DEFAULTS.mode;
    this.#timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.#maxMessageBytes = options.maxMessageBytes ?? DEFAULTS.maxMessageBytes;
    this.#compression = options.compression;
    if ('producer' in options) {
      this.#slot = givenProducer(options.producer);
    } else {
      const kafka = new Kafka(options.kafka);
      // One config for every producer built: a replacement keeps the transactionalId (the broker
      // bumps its epoch and fences the one before).
      const config = {
        idempotent: true,
        maxInFlightRequests: 1,
        // Java's murmur2 partitioner, named so kafkajs does not warn: keys map as in Java clients.
        createPartitioner: Partitioners.DefaultPartitioner,
        ...(this.#transactional
          ? { transactionalId: `eventfan-${this.name}-${randomUUID()}` }
          : {}),
        ...options.producerConfig,
      };
      this.#slot = ownedProducer(() => kafka.producer(config));
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
    const stream = context.stream;
    const results = await queuedSend({
      queue: this.#queue,
      slot: this.#slot,
      timeoutMs: this.#timeoutMs,
      attempt: this.#transactional
        ? (producer) => this.#sendInTransaction(producer, batches, stream)
        : (producer) => this.#sendEach(producer, batches, stream),
      timedOut: () => this.#timedOut(batches, stream),
    }).catch((error: unknown) => {
      throw error instanceof EventfanError
        ? error
        : this.#failure(error, batches[0] as TopicBatch, stream);
    });
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

  /** Disconnects the producers this dispatcher built; a producer you passed in stays yours. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Every caller has its answer within timeoutMs; a send still hanging after that is abandoned.
    let timer: NodeJS.Timeout | undefined;
    const abandon = new Promise((resolve) => (timer = setTimeout(resolve, this.#timeoutMs)));
    await Promise.race([this.#queue.idle(), abandon]);
    clearTimeout(timer);
    await this.#slot.close();
  }

  /** One send per topic, in order; when a later topic fails, the earlier ones are reported. */
  async #sendEach(
    producer: Producer,
    batches: readonly TopicBatch[],
    stream: string,
  ): Promise<RecordMetadata[][]> {
    const results: RecordMetadata[][] = [];
    for (const batch of batches) {
      try {
        results.push(await producer.send(this.#record(batch)));
      } catch (error) {
        const failure = this.#failure(error, batch, stream);
        if (outcomeUncertain(failure)) this.#slot.distrust(producer);
        throw this.#partial(failure, batches, results.length, stream);
      }
    }
    return results;
  }

  /** All topics' sends in one transaction, committed or aborted as a whole. */
  async #sendInTransaction(
    producer: Producer,
    batches: readonly TopicBatch[],
    stream: string,
  ): Promise<RecordMetadata[][]> {
    let transaction: Transaction;
    try {
      transaction = await producer.transaction();
    } catch (error) {
      const failure = this.#failure(error, batches[0] as TopicBatch, stream);
      if (outcomeUncertain(failure)) this.#slot.distrust(producer);
      throw failure;
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
      const failure = this.#failure(error, current, stream);
      // Abort so a read_committed consumer never sees any of it; if even that fails the
      // transaction times out on the broker and is aborted there.
      const aborted = await transaction.abort().then(
        () => true,
        () => false,
      );
      // An aborted batch still holds its sequence numbers on the broker, and kafkajs reuses them
      // in the next transaction of the same epoch: that batch would be acknowledged and dropped.
      // A new producer (same transactionalId, bumped epoch) starts from 0; so too when the abort
      // failed, which leaves kafkajs's transaction state stuck.
      if (!aborted || outcomeUncertain(failure)) this.#slot.distrust(producer);
      throw failure;
    }
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
  #partial(
    cause: EventfanError,
    batches: readonly TopicBatch[],
    done: number,
    stream: string,
  ): Error {
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
