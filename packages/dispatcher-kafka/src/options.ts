import type { Envelope } from '@eventfan/core';
import { millisecondsProblem } from '@eventfan/core/adapter';
import type { CompressionTypes, KafkaConfig, Producer, ProducerConfig } from 'kafkajs';

/** How CloudEvents ride on Kafka records (CloudEvents Kafka protocol binding). */
export type KafkaEncoding = 'binary' | 'structured';

interface CommonOptions {
  /** The target's name in receipts and errors; default `kafka`. */
  readonly name?: string;
  /** The topic for an event; default: its aggregate's name (`combat`). */
  readonly topic?: (envelope: Envelope) => string;
  /**
   * `binary` (default): `ce_` headers plus the JSON data as the value; `structured`: the whole
   * event as `application/cloudevents+json`.
   */
  readonly encoding?: KafkaEncoding;
  /**
   * Each publish in one Kafka transaction of its own: a `read_committed` consumer sees all of its
   * events or none. Publishes are then neither coalesced nor concurrent. With your own producer,
   * create it with a `transactionalId` (and `idempotent: true`).
   */
  readonly transactional?: boolean;
  /**
   * How long one publish may take before it fails with BrokerUnavailable (timed out), checked
   * every tenth of it, so at most that much later; also the broker's ack timeout. Default 30 000 ms.
   */
  readonly timeoutMs?: number;
  /**
   * Events whose Kafka record (key, value and headers) is larger, or a publish whose records for
   * one topic are, are refused with InvalidEvent in prepare. Also the most a coalesced request
   * carries. Default 1 000 000 bytes, under Kafka's default `max.message.bytes`.
   */
  readonly maxMessageBytes?: number;
  /** Compression of each request's record batches; default none. */
  readonly compression?: CompressionTypes;
  /**
   * How long an idle publisher gathers concurrent publishes before their request goes out, in ms.
   * Default 0: what the caller hands over in one synchronous run, sent at once. While a request is in
   * flight, what arrives waits for it and leaves together once it is answered, whatever this is.
   */
  readonly lingerMs?: number;
}

/** A publisher over a kafkajs producer you created and connected; you also disconnect it. */
export interface WithProducer extends CommonOptions {
  readonly producer: Producer;
}

/**
 * A publisher that builds its own idempotent producer from this config, connects it on the first
 * publish and disconnects it on close().
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

export type KafkaPublisherOptions = WithProducer | WithConfig;

/** The options every publish needs, checked and defaulted. */
export interface Settings {
  readonly name: string;
  readonly topic: (envelope: Envelope) => string;
  readonly encoding: KafkaEncoding;
  readonly transactional: boolean;
  readonly timeoutMs: number;
  readonly maxMessageBytes: number;
  readonly compression: CompressionTypes | undefined;
  readonly lingerMs: number;
}

/** Defaults filled in; a bad option is a TypeError naming the publisher, thrown where it is made. */
export function settings(options: KafkaPublisherOptions): Settings {
  const name = options.name ?? 'kafka';
  const fail = (what: string): never => {
    throw new TypeError(`Kafka publisher "${name}": ${what}`);
  };
  const has = (key: string) => (options as object) && key in options;
  if (!has('producer') && !has('kafka')) fail('give `producer` (connected) or `kafka` (a config)');
  const encoding = options.encoding ?? 'binary';
  if (encoding !== 'binary' && encoding !== 'structured') {
    fail(`encoding must be "binary" or "structured", got ${JSON.stringify(encoding)}`);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const timeout = millisecondsProblem('timeoutMs', timeoutMs, 'above-zero');
  if (timeout !== undefined) fail(timeout);
  const maxMessageBytes = options.maxMessageBytes ?? 1_000_000;
  if (!(maxMessageBytes > 0)) fail(`maxMessageBytes must be > 0, got ${maxMessageBytes}`);
  const lingerMs = options.lingerMs ?? 0;
  const linger = millisecondsProblem('lingerMs', lingerMs, 'zero');
  if (linger !== undefined) fail(linger);
  return {
    name,
    topic: options.topic ?? ((envelope) => envelope.aggregate),
    encoding,
    transactional: options.transactional ?? false,
    timeoutMs,
    maxMessageBytes,
    compression: options.compression,
    lingerMs,
  };
}
