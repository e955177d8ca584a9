export type { DeliveryTally, TalliedEvent, TallyInput } from './delivery-tally.js';
export { describeTally, tallyDelivery } from './delivery-tally.js';
export type { ProjectionRecord } from './projection-file.js';
export { ProjectionFile, readProjection } from './projection-file.js';
