export { kafkaSource, type KafkaSource } from './kafka-source.js';
export type {
  KafkaSourceOptions,
  KafkaSourceWithConsumer,
  KafkaSourceWithKafka,
} from './options.js';
export { GROUP_HEADER, POSITION_HEADER, REASON_HEADER } from './dead-letter.js';
