import type { Envelope } from './envelope.js';

/** Where one event landed, in the broker's own terms (revision, partition/offset, sequence…). */
export type Position = Readonly<Record<string, string | number>>;

export interface EventReceipt<P extends Position = Position> {
  readonly id: string;
  readonly generation: number;
  /** True when the target recognised the id and did not keep the event a second time. */
  readonly duplicate: boolean;
  readonly position: P;
}

/** What one target says about one batch: one entry per envelope, in order. */
export interface Receipt<P extends Position = Position> {
  readonly target: string;
  readonly events: readonly EventReceipt<P>[];
}

/**
 * A batch a publisher has encoded and checked against every limit of its broker: ready to send,
 * and only to the publisher that prepared it.
 */
export interface Prepared {
  readonly target: string;
  readonly stream: string;
  readonly envelopes: readonly Envelope[];
}

export interface PublishContext {
  /** 1 on the first send of these envelopes, then +1 on each re-send of the same ids. */
  readonly attempt: number;
  readonly signal?: AbortSignal;
}

/**
 * Sends events to a broker. Its two steps carry two promises:
 *
 * - `prepare` encodes a batch of one stream (consecutive generations) and checks **every** limit
 *   the broker has — message and request size, topic/subject legality, CloudEvents rules. It does
 *   no I/O. It throws InvalidEvent (the batch can never be published: fix the event or the
 *   publisher's options) or TargetClosed. The command handler prepares with every publisher
 *   before the store appends, so nothing is stored that a publisher would refuse.
 * - `publish` sends what `prepare` returned, in order, and resolves once the broker acknowledged
 *   every event, with one receipt entry per envelope. It throws DispatchIncomplete when only some
 *   were acknowledged (it says which), BrokerUnavailable when the broker did not answer,
 *   OperationAborted when the signal fired first, or a broker-specific refusal. Re-sending the
 *   same envelopes (same ids) is always safe: the broker drops them, or consumers dedupe on the
 *   CloudEvent id where the broker cannot (see each adapter's delivery guarantees).
 */
export interface Publisher<P extends Position = Position, B extends Prepared = Prepared> {
  /** Names the target in receipts, errors and retries; unique among a handler's targets. */
  readonly name: string;
  prepare(envelopes: readonly Envelope[]): B;
  publish(prepared: B, context?: PublishContext): Promise<Receipt<P>>;
  /** Lets in-flight sends finish, then releases what the publisher owns. Idempotent. */
  close(): Promise<void>;
}
