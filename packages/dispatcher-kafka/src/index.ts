export { KafkaDispatcher, kafkaDispatcher } from './dispatcher.js';
export type { KafkaRefusal } from './errors.js';
export { KafkaDispatchError } from './errors.js';
export type {
  KafkaContentMode,
  KafkaDispatcherOptions,
  WithConfig,
  WithProducer,
} from './options.js';
export type { KafkaPosition } from './receipts.js';
export { GROUP_HEADER, kafkaSource, POSITION_HEADER, REASON_HEADER } from './source/index.js';
export type {
  KafkaSource,
  KafkaSourceOptions,
  KafkaSourceWithConsumer,
  KafkaSourceWithKafka,
} from './source/index.js';
