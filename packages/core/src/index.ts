export type {
  Aggregate,
  AggregateDefinition,
  Appliers,
  Command,
  Handlers,
  Rejection,
  Versioned,
} from './aggregate.js';
export { decide, defineAggregate, evolve, initial, reject } from './aggregate.js';
export type { Dispatched, DispatchOptions } from './dispatch.js';
export { dispatch } from './dispatch.js';
export type { DispatchContext, Dispatcher, EventReceipt, Position, Receipt } from './dispatcher.js';
export type { Envelope, EventMetadata } from './envelope.js';
export type { EnvelopeOptions } from './envelopes.js';
export { toEnvelopes } from './envelopes.js';
export type {
  DataOf,
  DomainEvent,
  EventFamily,
  EventFamilyOptions,
  EventOf,
  EventsOf,
  Payload,
  PayloadSpec,
} from './event.js';
export { defineEvents, deriveEventType, payload } from './event.js';
export { EVENT_ID_NAMESPACE, eventId } from './event-id.js';
export {
  BrokerUnavailable,
  CommandRejected,
  ConcurrencyConflict,
  describeCause,
  DispatchIncomplete,
  EventfanError,
  InvalidEvent,
  UnknownCommand,
} from './errors.js';
export type { FanOutResult, PartialOutcome, TargetFailure } from './fan-out.js';
export { deliver, DispatchFailed, fanOut } from './fan-out.js';
export type { Json } from './json.js';
export { findNonJson } from './json.js';
export { checkBatch } from './batch.js';
export type { InMemoryDispatcherOptions } from './memory-dispatcher.js';
export { InMemoryDispatcher } from './memory-dispatcher.js';
export { InMemoryEventStore } from './memory-store.js';
export type { AppendResult, EventStore, PersistOptions, Snapshot } from './store.js';
export { load, persistTo } from './store.js';
