import type { Admin, Consumer, ConsumerConfig, Kafka, KafkaConfig, Producer } from 'kafkajs';

interface CommonSourceOptions {
  /** The consumer group: its committed offsets are the subscription's checkpoint. */
  readonly groupId: string;
  /** The topics read, each in order per partition (key = stream, so in order per stream). */
  readonly topics: readonly string[];
  /** Where a group with no committed offset starts: the beginning, or (default) the end. */
  readonly fromBeginning?: boolean;
  /**
   * Where parked records go (as they came, plus `eventfan-reason` and `eventfan-position`);
   * default `<topic>.deadletter` of the record's topic. It may not be one of `topics`.
   */
  readonly deadLetterTopic?: string;
  /** Names the source in status and errors; default `kafka:<groupId>`. */
  readonly name?: string;
  /**
   * Records per `deliver` at most: a bigger fetched batch is handed over (and committed) in
   * slices of this many; default 1 000.
   */
  readonly batchSize?: number;
}

/**
 * A source that builds its own consumer (and, when needed, a producer for parking and an admin
 * for lag) from a kafkajs `Kafka` or its config, connects them and disconnects them on close().
 */
export interface KafkaSourceWithKafka extends CommonSourceOptions {
  readonly kafka: Kafka | KafkaConfig;
  /** More consumer settings (session timeout, fetch sizes); `groupId` is the option's. */
  readonly consumerConfig?: Omit<ConsumerConfig, 'groupId'>;
  readonly consumer?: undefined;
}

/**
 * A source on a consumer you built with `kafka.consumer({ groupId })` and connected; the source
 * subscribes and runs it, stops it when the run ends, and never disconnects it. So are the
 * producer (parking) and the admin (lag): yours, connected, never disconnected by the source.
 */
export interface KafkaSourceWithConsumer extends CommonSourceOptions {
  readonly consumer: Consumer;
  /** For parking; without it, `park` fails (and so does the subscription that parks). */
  readonly producer?: Producer;
  /** For `lag()`; without it, lag is unknown. */
  readonly admin?: Admin;
  readonly kafka?: undefined;
}

export type KafkaSourceOptions = KafkaSourceWithKafka | KafkaSourceWithConsumer;

export const SOURCE_DEFAULTS = { batchSize: 1_000 } as const;
