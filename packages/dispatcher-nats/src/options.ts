import type { Envelope } from '@eventfan/core';
import { millisecondsProblem } from '@eventfan/core/adapter';
import type { HeadersFactory, JetStreamClient, NatsConnection } from './client.js';
import type { CloudEventMode } from './encode.js';
import { defaultSubject, publishSubjectProblem } from './subject.js';

/** What both publishers take. */
export interface NatsPublisherBaseOptions {
  /** A connection you already have (`connect()` from `nats`, or from `@nats-io/transport-node`). */
  readonly connection: NatsConnection;
  /** The same client's `headers` function, to build message headers the connection accepts. */
  readonly headers: HeadersFactory;
  /** The target name in receipts and errors; default `nats`. */
  readonly name?: string;
  /** First subject token(s) of the default subject `<prefix>.<aggregate>.<stream>`; default `events`. */
  readonly prefix?: string;
  /** Where an envelope goes, instead of the default subject. Must be a subject without wildcards. */
  readonly subject?: (envelope: Envelope) => string;
  /** CloudEvents content mode: `binary` (default: `ce-` headers, JSON data) or `structured`. */
  readonly encoding?: CloudEventMode;
  /** How long to wait for each PubAck (JetStream) or the flush (core); default 5000 ms. */
  readonly timeoutMs?: number;
}

/** JetStream: acknowledged, deduplicated by event id. */
export interface NatsPublisherOptions extends NatsPublisherBaseOptions {
  /**
   * Not needed: the publisher speaks JetStream's publish protocol over `connection` itself (a
   * publish with a reply subject, answered by a PubAck), with either client. Accepted and unused.
   */
  readonly jetstream?: JetStreamClient;
  /**
   * How long a request gathers the publishes of concurrent dispatches before it goes out, in ms.
   * Default 0: what was handed over in the current turn of the event loop goes out together.
   */
  readonly lingerMs?: number;
  /**
   * Expect the subject to end at the generation before the batch (`Nats-Expected-Last-Subject-
   * Sequence`) and throw ConcurrencyConflict when it does not. Events of a batch are then sent
   * one after the other. Needs one subject per stream (the default subject). Default false.
   */
  readonly checkGeneration?: boolean;
  /**
   * Most PubAcks awaited at once within one dispatch (dispatches are coalesced with each other
   * whatever this is); default 1, which keeps a batch in order even
   * when JetStream refuses one of its events. Above 1, later events of the batch may already be
   * stored when an earlier one is refused (the DispatchIncomplete says exactly which).
   */
  readonly maxInFlight?: number;
  /** For JetStream domains: `$JS.<domain>.API`; default `$JS.API`. */
  readonly apiPrefix?: string;
}

/** Core NATS: at most once, no acknowledgement beyond the server having read the messages. */
export type CoreNatsPublisherOptions = NatsPublisherBaseOptions;

/** The options both publishers share, checked and defaulted. */
export interface Settings {
  readonly name: string;
  readonly connection: NatsConnection;
  readonly subjectOf: (envelope: Envelope) => string;
  readonly encoding: CloudEventMode;
  readonly headers: HeadersFactory;
  readonly timeoutMs: number;
}

/** The publisher's options as a TypeError saying what is wrong, thrown where it is made. */
export function optionsError(name: string, what: string): TypeError {
  return new TypeError(`NATS publisher "${name}": ${what}`);
}

export function settings(options: NatsPublisherBaseOptions): Settings {
  const name = options.name ?? 'nats';
  const fail = (what: string) => {
    throw optionsError(name, what);
  };
  if (!options.connection || typeof options.connection.publish !== 'function') {
    fail('`connection` must be a NATS connection (the result of connect())');
  }
  if (typeof options.headers !== 'function') {
    fail("`headers` must be the client's headers function (import { headers } from 'nats')");
  }
  const prefix = options.prefix ?? 'events';
  const prefixProblem = publishSubjectProblem(prefix);
  if (prefixProblem) fail(`prefix: ${prefixProblem}`);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const timeout = millisecondsProblem('timeoutMs', timeoutMs, 'above-zero');
  if (timeout !== undefined) fail(timeout);
  const encoding = options.encoding ?? 'binary';
  if (encoding !== 'binary' && encoding !== 'structured') {
    fail(`encoding must be "binary" or "structured", got ${JSON.stringify(encoding)}`);
  }
  return {
    name,
    connection: options.connection,
    subjectOf: options.subject ?? defaultSubject(prefix),
    encoding,
    headers: options.headers,
    timeoutMs,
  };
}
