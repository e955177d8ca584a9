export type {
  EsdbAppendOptions,
  EsdbAppendResult,
  EsdbCheckpointClient,
  EsdbClient,
  EsdbEventData,
  EsdbExpectedRevision,
  EsdbFilter,
  EsdbJson,
  EsdbLogPosition,
  EsdbReadableOptions,
  EsdbReadAllOptions,
  EsdbReadOptions,
  EsdbRecordedEvent,
  EsdbResolvedEvent,
  EsdbSubscribeToAllOptions,
  EsdbSubscribeToStreamOptions,
  EsdbSubscriberClient,
  EsdbSubscription,
} from './client.js';
export type { CallSite } from './errors.js';
export { AccessDenied, fromClientError, NotLeader, StreamDeleted } from './errors.js';
export { SNAPSHOT_EVENT_TYPE } from './snapshots.js';
export type { EsdbEventStore, EsdbEventStoreOptions, EsdbPosition } from './store.js';
export { esdbEventStore } from './store.js';
export type { EsdbCheckpointsOptions } from './checkpoints.js';
export { CHECKPOINT_EVENT_TYPE, esdbCheckpoints } from './checkpoints.js';
export type { ParkedInfo } from './dead-letter.js';
export type { EsdbSource, EsdbSourceOptions, EsdbSourceRetry } from './source.js';
export { esdbSource } from './source.js';
