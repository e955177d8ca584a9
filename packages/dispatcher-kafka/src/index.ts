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
