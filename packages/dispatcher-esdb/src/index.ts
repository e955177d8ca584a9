export type {
  EsdbAppendOptions,
  EsdbAppendResult,
  EsdbClient,
  EsdbEventData,
  EsdbExpectedRevision,
  EsdbFilter,
  EsdbJson,
  EsdbLogPosition,
  EsdbReadAllOptions,
  EsdbReadOptions,
  EsdbRecordedEvent,
  EsdbResolvedEvent,
} from './client.js';
export type { CallSite } from './errors.js';
export { AccessDenied, fromClientError, NotLeader, StreamDeleted } from './errors.js';
export { SNAPSHOT_EVENT_TYPE } from './snapshots.js';
export type { EsdbEventStore, EsdbEventStoreOptions, EsdbPosition } from './store.js';
export { esdbEventStore } from './store.js';
