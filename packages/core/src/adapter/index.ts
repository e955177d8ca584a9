/**
 * The adapter kit: what eventfan's store and publisher adapters share, for authors of adapters.
 * Applications need none of it: their API is `@eventfan/core`.
 */
export { checkBatch, checkPublishBatch } from './batch.js';
export { assertOpen } from './closed.js';
export type { DeadlineOptions } from './deadline.js';
export { withDeadline } from './deadline.js';
export { encodeEach, siteOf } from './encode.js';
export { InFlight } from './in-flight.js';
export { MAX_TIMER_MS, millisecondsProblem } from './milliseconds.js';
export { assertPreparedBy } from './prepared-by.js';
export { streamRuns } from './runs.js';
export { partialFailure } from './incomplete.js';
export { describeCause } from '../errors.js';
export { findNonJson, isJson, MAX_JSON_DEPTH } from '../json.js';
