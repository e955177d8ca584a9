export type { KafkaRefusal } from './errors.js';
export { KafkaPublishError } from './errors.js';
export type { KafkaEncoding, KafkaPublisherOptions, WithConfig, WithProducer } from './options.js';
export type { KafkaPrepared, TopicBatch } from './prepare.js';
export type { KafkaPublisher } from './publisher.js';
export { kafkaPublisher } from './publisher.js';
export type { KafkaPosition } from './receipts.js';
export { GROUP_HEADER, kafkaSource, POSITION_HEADER, REASON_HEADER } from './source/index.js';
export type {
  KafkaSource,
  KafkaSourceOptions,
  KafkaSourceWithConsumer,
  KafkaSourceWithKafka,
} from './source/index.js';
