/**
 * The part of an EventStoreDB client this package uses. Both `EventStoreDBClient`
 * (@eventstore/db-client) and `KurrentDBClient` (@kurrent/kurrentdb-client) have it; the only
 * difference, the name of the expected-revision option, is bridged by passing it under both names.
 */
export interface EsdbClient {
  appendToStream(
    stream: string,
    events: EsdbEventData[],
    options: EsdbAppendOptions,
  ): Promise<EsdbAppendResult>;
  readStream(stream: string, options: EsdbReadOptions): AsyncIterable<EsdbResolvedEvent>;
  readAll(options: EsdbReadAllOptions): AsyncIterable<EsdbResolvedEvent>;
  dispose?(): Promise<void>;
}

/** Either client's expected revision: a state, or the revision of the stream's last event. */
export type EsdbExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface EsdbAppendOptions {
  /** @eventstore/db-client's name for it. */
  readonly expectedRevision: EsdbExpectedRevision;
  /** @kurrent/kurrentdb-client's name for it. */
  readonly streamState: EsdbExpectedRevision;
  readonly deadline?: number;
}

export interface EsdbReadOptions {
  readonly fromRevision: bigint | 'start' | 'end';
  readonly direction: 'forwards' | 'backwards';
  readonly maxCount: number;
  readonly deadline?: number;
}

/** A server-side filter of `$all` by stream-name prefixes or an event-type regex. */
export type EsdbFilter =
  | { readonly filterOn: 'streamName'; readonly prefixes: string[]; checkpointInterval: number }
  | { readonly filterOn: 'eventType'; readonly regex: string; checkpointInterval: number };

export interface EsdbReadAllOptions {
  readonly fromPosition: 'start' | EsdbLogPosition;
  readonly direction: 'forwards';
  readonly maxCount: number;
  /** Sent by @kurrent/kurrentdb-client; @eventstore/db-client 6.x reads $all unfiltered. */
  readonly filter?: EsdbFilter;
  readonly deadline?: number;
}

/**
 * JSON as the clients type it. They serialise any JSON value, numbers, booleans and null included;
 * their type names only objects, arrays and strings.
 */
export type EsdbJson = Record<string | number, unknown> | unknown[] | string;

/** What `jsonEvent()` makes: the client serialises `data` and `metadata` as JSON. */
export interface EsdbEventData {
  readonly id: string;
  readonly contentType: 'application/json';
  readonly type: string;
  readonly data: EsdbJson;
  readonly metadata: EsdbJson | undefined;
}

export interface EsdbLogPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export interface EsdbAppendResult {
  readonly nextExpectedRevision: bigint;
  readonly position?: EsdbLogPosition;
}

export interface EsdbRecordedEvent {
  readonly id: string;
  readonly streamId: string;
  readonly type: string;
  readonly revision: bigint;
  readonly isJson: boolean;
  readonly data: unknown;
  readonly metadata?: unknown;
  readonly position?: EsdbLogPosition;
}

export interface EsdbResolvedEvent {
  readonly event?: EsdbRecordedEvent;
}

/** Where a catch-up subscription to `$all` starts: after a position (exclusive), or the start. */
export interface EsdbSubscribeToAllOptions {
  readonly fromPosition: 'start' | EsdbLogPosition;
  readonly filter?: EsdbFilter;
}

/** Where a catch-up subscription to a stream starts: after a revision (exclusive), or the start. */
export interface EsdbSubscribeToStreamOptions {
  readonly fromRevision: 'start' | bigint;
}

/** Node's Readable options the clients pass on; `highWaterMark` bounds what they buffer. */
export interface EsdbReadableOptions {
  readonly highWaterMark?: number;
}

/**
 * A catch-up subscription of either client: a Node object-mode Readable of resolved events that
 * also emits `confirmation` and `caughtUp`. Read with `read()` so that a slow handler holds the
 * server back.
 */
export interface EsdbSubscription {
  read(): EsdbResolvedEvent | null;
  /** `confirmation`: the server accepted the subscription, the first thing it sends. */
  on(event: 'readable' | 'end' | 'close' | 'confirmation', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(
    event: 'readable' | 'end' | 'close' | 'confirmation',
    listener: () => void,
  ): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
  /** True once the stream emitted `close`. */
  readonly closed: boolean;
  /** Events the client buffered and `read()` has not taken yet. */
  readonly readableLength: number;
  unsubscribe(): Promise<void>;
  destroy(): unknown;
}

/** What `esdbSource` needs of a client: catch-up subscriptions, reads, and appends to park. */
export interface EsdbSubscriberClient extends Pick<EsdbClient, 'appendToStream' | 'readStream'> {
  subscribeToAll(
    options: EsdbSubscribeToAllOptions,
    readableOptions?: EsdbReadableOptions,
  ): EsdbSubscription;
  subscribeToStream(
    stream: string,
    options: EsdbSubscribeToStreamOptions,
    readableOptions?: EsdbReadableOptions,
  ): EsdbSubscription;
}

/** What `esdbCheckpoints` needs of a client: reads, appends, and `$maxCount` on its streams. */
export interface EsdbCheckpointClient extends Pick<EsdbClient, 'appendToStream' | 'readStream'> {
  setStreamMetadata(stream: string, metadata: { readonly maxCount?: number }): Promise<unknown>;
}
