import type { Envelope } from './envelope.js';

/** Where one event landed, in the broker's own terms (revision, partition/offset, sequence…). */
export type Position = Readonly<Record<string, string | number>>;

export interface EventReceipt<P extends Position = Position> {
  readonly id: string;
  readonly generation: number;
  /** True when the broker recognised the id and did not store the event a second time. */
  readonly duplicate: boolean;
  readonly position: P;
}

/** What one dispatcher says about one dispatch: one entry per envelope, in order. */
export interface Receipt<P extends Position = Position> {
  readonly target: string;
  readonly events: readonly EventReceipt<P>[];
}

export interface DispatchContext {
  readonly aggregate: string;
  readonly stream: string;
  /** The stream's generation before these envelopes: the optimistic-concurrency token. */
  readonly expectedGeneration: number;
  /** The aggregate state after these envelopes (for snapshotting stores). */
  readonly state?: unknown;
  /** 1 on the first send, then +1 on each retry of the same envelopes. */
  readonly attempt: number;
  readonly signal?: AbortSignal;
}

/**
 * Sends envelopes somewhere. `store` dispatchers (event stores) run first; `publisher`s (the
 * default) only run once every store has accepted the events, so nothing is published that was not
 * recorded.
 */
export interface Dispatcher<P extends Position = Position> {
  readonly name: string;
  readonly role?: 'store' | 'publisher';
  /**
   * Sends all envelopes of one stream, in order. Resolves with one receipt entry per envelope.
   * Throws DispatchIncomplete when only some were sent, ConcurrencyConflict when the broker checks
   * the expected generation and it differs, any other error when nothing was sent.
   */
  dispatch(envelopes: readonly Envelope[], context: DispatchContext): Promise<Receipt<P>>;
  close?(): Promise<void>;
}
