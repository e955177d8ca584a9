import { Kafka, type Admin, type Consumer, type KafkaConfig, type Producer } from 'kafkajs';
import type { KafkaSourceOptions } from './options.js';

/** A client connected once, on first use, by whoever asks first. */
class Lazy<T extends { connect(): Promise<void>; disconnect(): Promise<void> }> {
  #connecting: Promise<T> | undefined;

  constructor(private readonly make: () => T) {}

  get(): Promise<T> {
    this.#connecting ??= (async () => {
      const client = this.make();
      await client.connect();
      return client;
    })();
    // A failed connect is tried again on the next call.
    this.#connecting.catch(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  async disconnect(): Promise<void> {
    const connecting = this.#connecting;
    this.#connecting = undefined;
    const client = await connecting?.catch(() => undefined);
    await client?.disconnect();
  }
}

const isKafka = (kafka: Kafka | KafkaConfig): kafka is Kafka =>
  typeof (kafka as Kafka).consumer === 'function';

/**
 * The kafkajs clients a source reads, parks and measures lag with: built, connected and
 * disconnected here when the source was given a `kafka`, the caller's (left connected) when it
 * was given a `consumer`.
 */
export class SourceClients {
  readonly consumer: () => Promise<Consumer>;
  readonly producer: () => Promise<Producer | undefined>;
  readonly admin: () => Promise<Admin | undefined>;
  readonly close: () => Promise<void>;

  constructor(options: KafkaSourceOptions) {
    if (options.consumer !== undefined) {
      const { consumer, producer, admin } = options;
      this.consumer = async () => consumer;
      this.producer = async () => producer;
      this.admin = async () => admin;
      this.close = async () => {};
      return;
    }
    const kafka = isKafka(options.kafka) ? options.kafka : new Kafka(options.kafka);
    const consumer = new Lazy(() =>
      kafka.consumer({ ...options.consumerConfig, groupId: options.groupId }),
    );
    // Idempotent, so a retried send of a parked record is not written twice.
    const producer = new Lazy(() => kafka.producer({ idempotent: true, maxInFlightRequests: 1 }));
    const admin = new Lazy(() => kafka.admin());
    this.consumer = () => consumer.get();
    this.producer = () => producer.get();
    this.admin = () => admin.get();
    this.close = async () => {
      await Promise.all([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
    };
  }
}
