// Broker fixtures without vitest: the vitest helpers are `@eventfan/testing/vitest`.
export type {
  Broker,
  BrokerControl,
  BrokerKind,
  BrokerProvider,
  BrokerVia,
  LocalBrokerOptions,
  MissingBroker,
} from './broker.js';
export { isMissing } from './broker.js';
export type { AcquireOptions } from './acquire.js';
export { acquireBroker, acquireBrokerOrSkip, brokersRequired } from './acquire.js';
export { containerRuntimeMissing } from './container-runtime.js';
export { freePort } from './process.js';
export { findNatsServer, natsBroker, startNatsProcess, type NatsProcessOptions } from './nats.js';
export { kafkaBroker, kafkaBrokerWith, type LocalKafkaOptions } from './kafka.js';
export { esdbBroker } from './esdb.js';
