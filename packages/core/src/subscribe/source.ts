import type { Envelope } from '../envelope.js';

/** One message a source delivers: its envelope, or why it could not be decoded into one. */
export type Incoming =
  | { readonly envelope: Envelope; readonly position: string }
  | { readonly envelope?: undefined; readonly error: Error; readonly position: string };

/**
 * Where a subscription reads from: a Kafka consumer group, a JetStream durable consumer, an
 * EventStoreDB catch-up subscription, the in-memory store. Each adapter offers one; they share
 * one promise:
 *
 * - `run` delivers batches in order per stream and, for each, waits for `deliver` to settle: only
 *   when it resolves does the source move its checkpoint (commit the offsets, ack the messages,
 *   save the position). When it rejects, the source stops and `run` rejects with that error.
 *   So every message reaches the subscription at least once, also across crashes.
 * - `park` keeps a message the subscription cannot handle in the source's dead-letter place
 *   (a topic, a subject, a stream) with the reason.
 */
export interface SubscriptionSource {
  /** Names the source in status and errors. */
  readonly name: string;
  run(deliver: (batch: readonly Incoming[]) => Promise<void>, signal: AbortSignal): Promise<void>;
  park(incoming: Incoming, reason: string): Promise<void>;
  /** Messages not yet delivered, when the broker can say. */
  lag(): Promise<number | undefined>;
  close(): Promise<void>;
}
