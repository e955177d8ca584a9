/** Correlation, causation, command and tracing ids, plus any string metadata the caller adds. */
export interface EventMetadata {
  /** The identity of the command that produced the event: the caller's idempotency key or a fresh one. */
  readonly commandId?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  /** W3C trace context, carried to brokers as the CloudEvents Distributed Tracing extension. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  readonly [key: string]: string | undefined;
}

/**
 * One event as it leaves an aggregate: everything a broker needs, nothing broker-specific.
 * `generation` is the stream's generation after this event (the first event of a stream is 1).
 */
export interface Envelope<D = unknown> {
  /** UUID v5 of stream, generation and command identity (see `eventId`). */
  readonly id: string;
  /** The aggregate's name, e.g. `combat`; brokers use it for topics and subjects. */
  readonly aggregate: string;
  readonly stream: string;
  readonly generation: number;
  /** Derived as the seed crate does: `combatevent.entityattacked`. */
  readonly type: string;
  readonly version: string;
  readonly source: string;
  /** RFC 3339 timestamp. */
  readonly time: string;
  readonly data: D;
  readonly metadata: EventMetadata;
}
