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
export type { CommandHandler, CommandHandlerOptions, Handled, HandleOptions } from './handler.js';
export { commandHandler } from './handler.js';
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
export type { AggregateSite, InvalidEventSite } from './errors.js';
export {
  AggregateFailed,
  BrokerUnavailable,
  CommandRejected,
  ConcurrencyConflict,
  DispatchIncomplete,
  EventfanError,
  InvalidEvent,
  InvalidHandlerResult,
  isRetriable,
  OperationAborted,
  TargetClosed,
  UnknownCommand,
} from './errors.js';
export type { Json } from './json.js';
export { load } from './load.js';
export type { InMemoryPublisherOptions, InMemoryPublisherPosition } from './memory-publisher.js';
export { InMemoryPublisher } from './memory-publisher.js';
export type { InMemoryEventStoreOptions, InMemoryPosition } from './memory-store.js';
export { InMemoryEventStore } from './memory-store.js';
export type { PartialOutcome, TargetFailure } from './publish.js';
export { DispatchFailed } from './publish.js';
export type {
  EventReceipt,
  Position,
  Prepared,
  PublishContext,
  Publisher,
  Receipt,
} from './publisher.js';
export type {
  AppendOptions,
  AppendResult,
  EventStore,
  LoggedEnvelope,
  LogPosition,
  ReadAllOptions,
  Snapshot,
} from './store.js';
export * from './relay/index.js';
export * from './subscribe/index.js';
