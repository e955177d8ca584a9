export { IdWindow } from './id-window.js';
export type { SequenceMarks } from './marks.js';
export { InMemorySequenceMarks } from './marks.js';
export type { Incoming, SubscriptionSource } from './source.js';
export type { StoreSourceOptions } from './store-source.js';
export { storeSource } from './store-source.js';
export type {
  SubscribeOptions,
  Subscription,
  SubscriptionState,
  SubscriptionStatus,
} from './subscribe.js';
export { subscribe } from './subscribe.js';
