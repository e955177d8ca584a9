export type {
  HeadersFactory,
  JetStreamClient,
  JetStreamPublishOptions,
  NatsConnection,
  NatsHeaders,
  NatsReply,
  PubAck,
  ServerLimits,
} from './client.js';
export type { CoreNatsPosition, CoreNatsPublisher } from './core-publisher.js';
export { coreNatsPublisher } from './core-publisher.js';
export type { CloudEventMode, Outgoing } from './encode.js';
export type { NatsPublishErrorCode } from './errors.js';
export { NatsPublishError, NatsStreamError } from './errors.js';
export type { JetStreamPosition, NatsPublisher } from './jetstream-publisher.js';
export { natsPublisher } from './jetstream-publisher.js';
export type {
  CoreNatsPublisherOptions,
  NatsPublisherBaseOptions,
  NatsPublisherOptions,
} from './options.js';
export type { NatsPrepared } from './prepare.js';
export type { EnsuredStream, EnsureStreamOptions } from './stream.js';
export { ensureStream, subjectCovers } from './stream.js';
export { decodeSubjectToken, defaultSubject, subjectToken } from './subject.js';
export type { NatsSource, NatsSourceOptions } from './source/nats-source.js';
export { natsSource } from './source/nats-source.js';
