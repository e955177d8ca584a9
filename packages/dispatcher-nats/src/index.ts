export type {
  HeadersFactory,
  JetStreamPublisher,
  JetStreamPublishOptions,
  NatsConnection,
  NatsHeaders,
  NatsReply,
  PubAck,
} from './client.js';
export type { CoreNatsPosition } from './core-dispatcher.js';
export { CoreNatsDispatcher } from './core-dispatcher.js';
export type { CloudEventMode } from './encode.js';
export type { NatsDispatchErrorCode } from './errors.js';
export { NatsDispatchError, NatsStreamError } from './errors.js';
export type { JetStreamPosition } from './jetstream-dispatcher.js';
export { JetStreamDispatcher } from './jetstream-dispatcher.js';
export { natsDispatcher } from './nats-dispatcher.js';
export type {
  CoreNatsDispatcherOptions,
  JetStreamDispatcherOptions,
  NatsDispatcherBaseOptions,
} from './options.js';
export type { EnsuredStream, EnsureStreamOptions } from './stream.js';
export { ensureStream, subjectCovers } from './stream.js';
export { decodeSubjectToken, defaultSubject, subjectToken } from './subject.js';
