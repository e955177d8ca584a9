export type {
  EsdbAppendOptions,
  EsdbAppendResult,
  EsdbClient,
  EsdbEventData,
  EsdbExpectedRevision,
  EsdbLogPosition,
  EsdbReadOptions,
  EsdbRecordedEvent,
  EsdbResolvedEvent,
} from './client.js';
export type { EsdbDispatcher, EsdbDispatcherOptions } from './dispatcher.js';
export { esdbDispatcher } from './dispatcher.js';
export type { CallSite } from './errors.js';
export { AccessDenied, fromClientError, NotLeader, StreamDeleted } from './errors.js';
export type { AppendOptions, EsdbEventStoreOptions, EsdbPosition } from './store.js';
export { EsdbEventStore, SNAPSHOT_EVENT_TYPE } from './store.js';
