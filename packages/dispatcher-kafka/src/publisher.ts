import { randomUUID } from 'node:crypto';
import {
  OperationAborted,
  type BrokerUnavailable,
  type EventfanError,
  type Envelope,
  type PublishContext,
  type Publisher,
  type Receipt,
} from '@eventfan/core';
import type { KafkaRecord } from '@eventfan/cloudevents';
import { assertOpen, assertPreparedBy, withDeadline } from '@eventfan/core/adapter';
import { Kafka, type Producer, type ProducerConfig, type RecordMetadata } from 'kafkajs';
import { ChosenPartitions } from './chosen-partitions.js';
import { RequestCoalescer } from './coalescer.js';
import { notAcknowledged, publishErrorFor } from './errors.js';
import { settings, type KafkaPublisherOptions, type Settings } from './options.js';
import { isKafkaPrepared, prepareBatch, type KafkaPrepared, type TopicBatch } from './prepare.js';
import { givenProducer, ownedProducer, type ProducerSlot } from './producer-slot.js';
import { queuedSend } from './queued-send.js';
import { inRecordOrder, positionsOf, type KafkaPosition } from './receipts.js';
import { SendQueue } from './send-queue.js';
import { outcomeUncertain } from './uncertain.js';

/** A Kafka publisher: what `kafkaPublisher` returns. */
export type KafkaPublisher = Publisher<KafkaPosition, KafkaPrepared>;

/**
 * Publishes a stream's events to Kafka as CloudEvents: one topic per aggregate (or as configured),
 * key = stream so a stream's events keep their order in one partition, `acks: -1`. Concurrent
 * publishes share produce requests, one request in flight at a time; when `transactional`, each
 * publish is one Kafka transaction instead.
 * ```ts
 * const kafka = kafkaPublisher({ kafka: { clientId: 'combat', brokers: ['localhost:9092'] } });
 * ```
 */
export function kafkaPublisher(options: KafkaPublisherOptions): KafkaPublisher {
  return new KafkaJsPublisher(options);
}

class KafkaJsPublisher implements KafkaPublisher {
  readonly name: string;
  readonly #settings: Settings;
  /** The producer, replaced after a send of uncertain outcome when this publisher built it. */
  readonly #slot: ProducerSlot;
  readonly #partitions = new ChosenPartitions();
  readonly #coalescer: RequestCoalescer;
  /** Transactions, one at a time: a producer has one open transaction. */
  readonly #transactions = new SendQueue();
  #closed = false;

  constructor(options: KafkaPublisherOptions) {
    this.#settings = settings(options);
    this.name = this.#settings.name;
    this.#slot =
      'producer' in options
        ? givenProducer(options.producer)
        : this.#ownedSlot(options.kafka, options.producerConfig);
    this.#coalescer = new RequestCoalescer({
      settings: this.#settings,
      slot: this.#slot,
      partitionOf: (message) => this.#partitions.of(message),
    });
  }

  prepare(envelopes: readonly Envelope[]): KafkaPrepared {
    return prepareBatch(envelopes, this.#settings, this.#closed);
  }

  publish(
    prepared: KafkaPrepared,
    context: PublishContext = { attempt: 1 },
  ): Promise<Receipt<KafkaPosition>> {
    // close() waits for these through the coalescer and the transaction queue, which hold every
    // publish until it is answered (within timeoutMs).
    return this.#send(prepared, context);
  }

  /** Lets publishes in flight finish (up to timeoutMs), then disconnects the producers it built. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    const abandon = new Promise(
      (resolve) => (timer = setTimeout(resolve, this.#settings.timeoutMs)),
    );
    const settled = Promise.all([this.#coalescer.idle(), this.#transactions.idle()]);
    await Promise.race([settled, abandon]);
    clearTimeout(timer);
    await this.#slot.close();
  }

  async #send(prepared: KafkaPrepared, context: PublishContext): Promise<Receipt<KafkaPosition>> {
    assertOpen(this.name, this.#closed);
    assertPreparedBy({ name: this.name, kind: 'Kafka' }, prepared, isKafkaPrepared);
    const { signal } = context;
    if (signal?.aborted) throw new OperationAborted(this.name, prepared.stream, signal.reason);
    const sending = this.#settings.transactional
      ? this.#sendInTransaction(prepared)
      : this.#coalescer.send(prepared);
    // Answered by the deadline anyway; a signal needs a race of its own only when there is one.
    const positions = signal
      ? await withDeadline(sending, {
          timeoutMs: this.#settings.timeoutMs * 2,
          onTimeout: () => this.#timedOut(prepared),
          signal,
          target: this.name,
          stream: prepared.stream,
        })
      : await sending;
    return {
      target: this.name,
      events: prepared.envelopes.map((envelope, i) => ({
        id: envelope.id,
        generation: envelope.generation,
        duplicate: false,
        position: positions[i] as KafkaPosition,
      })),
    };
  }

  /** All topics' records in one transaction, committed or aborted as a whole. */
  #sendInTransaction(prepared: KafkaPrepared): Promise<KafkaPosition[]> {
    return queuedSend({
      queue: this.#transactions,
      slot: this.#slot,
      timeoutMs: this.#settings.timeoutMs,
      attempt: async (producer) => {
        const results = await this.#transaction(producer, prepared);
        const partitionOf = (m: KafkaRecord) => this.#partitions.of(m);
        return inRecordOrder(prepared, positionsOf(prepared.topics, results.flat(), partitionOf));
      },
      timedOut: () => this.#timedOut(prepared),
    }).catch((error: unknown) => {
      throw this.#failure(error, prepared);
    });
  }

  async #transaction(producer: Producer, prepared: KafkaPrepared): Promise<RecordMetadata[][]> {
    let transaction;
    try {
      transaction = await producer.transaction();
    } catch (error) {
      const failure = this.#failure(error, prepared);
      if (outcomeUncertain(failure)) this.#slot.distrust(producer);
      throw failure;
    }
    try {
      const results: RecordMetadata[][] = [];
      for (const batch of prepared.topics)
        results.push(await transaction.send(this.#record(batch)));
      await transaction.commit();
      return results;
    } catch (error) {
      const failure = this.#failure(error, prepared);
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

  #record(batch: TopicBatch) {
    const { timeoutMs, compression } = this.#settings;
    return {
      topic: batch.topic,
      messages: batch.messages,
      acks: -1,
      timeout: timeoutMs,
      ...(compression === undefined ? {} : { compression }),
    };
  }

  /** Builds its producers idempotent, with the partitioner that lets receipts name partitions. */
  #ownedSlot(config: ConstructorParameters<typeof Kafka>[0], overrides?: ProducerConfig) {
    const kafka = new Kafka(config);
    // One config for every producer built: a replacement keeps the transactionalId (the broker
    // bumps its epoch and fences the one before).
    const producerConfig: ProducerConfig = {
      idempotent: true,
      maxInFlightRequests: 1,
      ...(this.#settings.transactional
        ? { transactionalId: `eventfan-${this.name}-${randomUUID()}` }
        : {}),
      ...overrides,
      // Java's murmur2 partitioner unless told otherwise: keys map as in Java clients.
      createPartitioner: this.#partitions.partitioner(overrides?.createPartitioner),
    };
    return ownedProducer(() => kafka.producer(producerConfig));
  }

  #timedOut(prepared: KafkaPrepared): BrokerUnavailable {
    return notAcknowledged(this.name, this.#settings.timeoutMs, prepared);
  }

  #failure(error: unknown, prepared: KafkaPrepared): EventfanError {
    return publishErrorFor(error, this.name, prepared);
  }
}
