import type { Envelope } from '@eventfan/core';
import type { CompressionTypes, KafkaConfig, Producer, ProducerConfig } from 'kafkajs';

/** How CloudEvents ride on Kafka records (CloudEvents Kafka protocol binding). */
export type KafkaContentMode = 'binary' | 'structured';

interface CommonOptions {
  /** The target's name in receipts and errors; default `kafka`. */
  readonly name?: string;
  /** The topic for an event; default: its aggregate's name (`combat`). */
  readonly topic?: (envelope: Envelope) => string;
  /**
   * `binary` (default): `ce_` headers plus the JSON data as the value; `structured`: the whole
   * event as `application/cloudevents+json`.
   */
  readonly mode?: KafkaContentMode;
  /**
   * Each dispatch in one Kafka transaction: a `read_committed` consumer sees all of its events or
   * none. With your own producer, create it with a `transactionalId` (and `idempotent: true`).
   */
  readonly transactional?: boolean;
  /**
   * How long one dispatch may take before it fails with BrokerUnavailable (timed out); also the
   * broker's ack timeout. Default 30 000 ms.
   */
  readonly timeoutMs?: number;
  /**
   * Events whose Kafka record (key, value and headers) is larger are refused with InvalidEvent
   * before anything is sent. Default 1 000 000 bytes, under Kafka's default `max.message.bytes`.
   */
  readonly maxMessageBytes?: number;
  /** Compression of each send's record batch; default none. */
  readonly compression?: CompressionTypes;
}

/** A dispatcher over a kafkajs producer you created and connected; you also disconnect it. */
export interface WithProducer extends CommonOptions {
  readonly producer: Producer;
}

/**
 * A dispatcher that builds its own idempotent producer from this config, connects it on the first
 * dispatch and disconnects it on close().
 */
export interface WithConfig extends CommonOptions {
  readonly kafka: KafkaConfig;
  /**
   * Overrides for the producer; by default it is idempotent with one request in flight (no
   * duplicates or reordering from producer retries), and transactional with a random
   * `transactionalId` when `transactional` is set — give a stable one to fence zombie instances.
   */
  readonly producerConfig?: ProducerConfig;
}

export type KafkaDispatcherOptions = WithProducer | WithConfig;

export const DEFAULTS = {
  name: 'kafka',
  mode: 'binary',
  timeoutMs: 30_000,
  maxMessageBytes: 1_000_000,
} as const;
