export type { DeliveryTally, TalliedEvent, TallyInput } from './delivery-tally.js';
export { describeTally, tallyDelivery } from './delivery-tally.js';
