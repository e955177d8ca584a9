/**
 * The parts of a NATS client this package uses, typed structurally so that both the `nats` 2.x
 * package and the `@nats-io/transport-node` + `@nats-io/jetstream` 3.x clients fit without either
 * being imported here.
 */

/** A message header set, made by the client's own `headers()` function. */
export interface NatsHeaders {
  set(key: string, value: string): void;
}

/** A message received in reply to a request. */
export interface NatsReply {
  readonly data: Uint8Array;
}

/** A message a subscription received: a PubAck, or a status reply (503: no responders). */
export interface NatsInbound extends NatsReply {
  readonly subject: string;
  readonly headers?: { readonly code?: number; readonly description?: string } | undefined;
}

/** A connection event, as both client generations report a permission violation. */
export interface NatsStatus {
  readonly type: string;
  readonly permissionContext?: { readonly operation: string; readonly subject: string };
  readonly error?: unknown;
}

/** What `subscribe` returns; only unsubscribing is needed here. */
export interface NatsSubscription {
  unsubscribe(): void;
}

/** A connection: `connect()` from `nats` or from `@nats-io/transport-node`. */
export interface NatsConnection {
  /** What the server said on connect: the limits a message and its control line must keep. */
  readonly info?: ServerLimits | undefined;
  /** The options it was made with: a request's reply subject starts with `inboxPrefix`. */
  readonly options?: { readonly inboxPrefix?: string | undefined } | undefined;
  publish(
    subject: string,
    payload?: Uint8Array,
    options?: { headers?: NatsHeaders; reply?: string },
  ): void;
  /** Used by `natsPublisher` for its PubAcks: one subscription to an inbox of its own. */
  subscribe(
    subject: string,
    options?: { callback?: (error: Error | null, message: NatsInbound) => void },
  ): NatsSubscription;
  flush(): Promise<void>;
  request(
    subject: string,
    payload?: Uint8Array,
    options?: { timeout: number; headers?: NatsHeaders },
  ): Promise<NatsReply>;
  isClosed(): boolean;
  /**
   * The connection's events; a publish the user may not make is only told here (the server
   * answers with `-ERR`, not to the reply subject). 2.x: `permissionContext`, 3.x: `error`.
   */
  status?(): AsyncIterable<NatsStatus> & { stop?(): void };
  /** Only on `nats` 2.x connections; with 3.x pass `jetstream(nc)` from `@nats-io/jetstream`. */
  jetstream?(): JetStreamClient;
}

/** The server's INFO fields that bound what a client may send. */
export interface ServerLimits {
  /** Bytes of one message, headers included. */
  readonly max_payload: number;
  /** Bytes of a protocol line (`HPUB <subject> <reply> <sizes>`); servers rarely announce it. */
  readonly max_control_line?: number | undefined;
}

/** JetStream's answer to a publish: where the message was stored, or that it was already there. */
export interface PubAck {
  readonly stream: string;
  readonly seq: number;
  readonly duplicate: boolean;
}

export interface JetStreamPublishOptions {
  timeout?: number;
  headers?: NatsHeaders;
  expect?: { lastSubjectSequence?: number };
}

/** A JetStream client: `nc.jetstream()` (2.x) or `jetstream(nc)` (3.x). */
export interface JetStreamClient {
  publish(
    subject: string,
    payload?: Uint8Array,
    options?: JetStreamPublishOptions,
  ): Promise<PubAck>;
}

/** The client's `headers` function (`import { headers } from 'nats'` or `'@nats-io/transport-node'`). */
export type HeadersFactory = () => NatsHeaders;
