// The suites import vitest, so they are only reachable here, not from the package root.
export type { BadInput } from './bad-input.js';
export { BAD_INPUTS } from './bad-input.js';
export type { SampleOptions } from './events.js';
export { Conformance, ConformanceEvent, sampleEnvelopes, uniqueStream } from './events.js';
export type { PublisherFeatures, PublisherHarness, ReadBackEvent } from './publisher-suite.js';
export { describePublisherConformance } from './publisher-suite.js';
export type { StoreHarness } from './store-suite.js';
export { describeStoreConformance } from './store-suite.js';
