// The root entry needs neither vitest (an optional peer) nor an EventStoreDB client's types. What
// does has its own subpath: `/vitest` (brokerGlobalSetup, describeWithBroker, injectBroker),
// `/conformance` (describePublisherConformance, describeStoreConformance), `/specification` and `/esdb-server`.
export * from './brokers/index.js';
// The conformance sample events need no vitest; the suite's types are erased at runtime.
export type { BadInput } from './conformance/bad-input.js';
export { BAD_INPUTS } from './conformance/bad-input.js';
export type {
  PublisherFeatures,
  PublisherHarness,
  ReadBackEvent,
} from './conformance/publisher-suite.js';
export type { StoreHarness } from './conformance/store-suite.js';
export type { SampleOptions } from './conformance/events.js';
export {
  Conformance,
  ConformanceEvent,
  sampleEnvelopes,
  uniqueStream,
} from './conformance/events.js';
// Counting what fault tests delivered: lost, duplicated, out of order after dedupe.
export * from './faults/index.js';
