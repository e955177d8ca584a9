import type { Envelope } from './envelope.js';
import type { EventReceipt, Position } from './publisher.js';

/** A saved state, so loading need not replay a long stream from its first event. */
export interface Snapshot<S = unknown> {
  readonly stream: string;
  readonly generation: number;
  readonly state: S;
  readonly time: string;
}

export interface AppendResult<P extends Position = Position> {
  /** The stream's generation after the append. */
  readonly generation: number;
  readonly events: readonly EventReceipt<P>[];
}

export interface AppendOptions {
  /** Checked before anything is written: an aborted append is OperationAborted, nothing stored. */
  readonly signal?: AbortSignal;
}

/**
 * A place in the store's whole log, as the store writes it (the in-memory store: the global
 * sequence; EventStoreDB: commit/prepare position). Opaque: only the store that gave it reads it.
 */
export type LogPosition = string;

/** One event of the store's log with its position there. */
export interface LoggedEnvelope {
  readonly position: LogPosition;
  readonly envelope: Envelope;
}

export interface ReadAllOptions {
  /** Start after this position (exclusive); default: from the first event. */
  readonly after?: LogPosition;
  /** Only events of these aggregates (the envelope's `aggregate`); default: every aggregate. */
  readonly aggregates?: readonly string[];
  /** Most events per page; default the store's own. */
  readonly pageSize?: number;
}

/**
 * Where events are kept and replayed from: the in-memory store and the EventStoreDB store
 * implement it. Reads are async iterables of pages, so memory stays at one page however long the
 * stream or the log.
 */
export interface EventStore<P extends Position = Position> {
  /** Names the store in receipts and errors. */
  readonly name: string;
  /**
   * Appends atomically if the stream is at `expectedGeneration` (0 = no stream yet), else throws
   * ConcurrencyConflict. Appending the same ids at the same generations again is a no-op whose
   * receipts say `duplicate`. Throws InvalidEvent (nothing stored) for a batch the store cannot
   * take, TargetClosed after close, OperationAborted when the signal fired first.
   */
  append(
    stream: string,
    envelopes: readonly Envelope[],
    expectedGeneration: number,
    options?: AppendOptions,
  ): Promise<AppendResult<P>>;
  /** The stream's envelopes from generation `from` (default 1), in order; a missing stream yields none. */
  read(stream: string, from?: number): AsyncIterable<readonly Envelope[]>;
  /** The whole log in commit order, as it stands when read, from a position. */
  readAll(options?: ReadAllOptions): AsyncIterable<readonly LoggedEnvelope[]>;
  readSnapshot?(stream: string): Promise<Snapshot | undefined>;
  writeSnapshot?(stream: string, snapshot: Snapshot): Promise<void>;
  /** Releases what the store owns; idempotent. */
  close(): Promise<void>;
}
