export type {
  Broker,
  BrokerControl,
  BrokerKind,
  BrokerProvider,
  BrokerVia,
  LocalBrokerOptions,
  MissingBroker,
} from './brokers/broker.js';
export { isMissing } from './brokers/broker.js';
export type { AcquireOptions } from './brokers/acquire.js';
export { acquireBroker, acquireBrokerOrSkip, brokersRequired } from './brokers/acquire.js';
export { containerRuntimeMissing } from './brokers/container-runtime.js';
export { freePort } from './brokers/process.js';
export type { ProvidedBroker } from './brokers/vitest.js';
export { brokerGlobalSetup, describeWithBroker, injectBroker } from './brokers/vitest.js';
export type {
  ConformanceFeatures,
  ConformanceHarness,
  ReadBackEvent,
} from './conformance/suite.js';
export { describeDispatcherConformance } from './conformance/suite.js';
export type { SampleOptions } from './conformance/events.js';
export {
  Conformance,
  ConformanceEvent,
  sampleEnvelopes,
  uniqueStream,
} from './conformance/events.js';
export {
  findNatsServer,
  natsBroker,
  startNatsProcess,
  type NatsProcessOptions,
} from './brokers/nats.js';
export { specification } from './specification.js';
export type { Then } from './specification.js';
export { kafkaBroker, kafkaBrokerWith, type LocalKafkaOptions } from './brokers/kafka.js';
export { esdbBroker } from './brokers/esdb.js';
export {
  ESDB_TEST_SERVER_LABEL,
  startEsdbTestServer,
  type EsdbTestServer,
  type EsdbTestServerOptions,
} from './esdb-server/server.js';
export type { EsdbFault, EsdbOperation } from './esdb-server/faults.js';
export type { ProtocolSource } from './esdb-server/protocol.js';
