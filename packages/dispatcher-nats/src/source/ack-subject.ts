/** What JetStream says about a delivered message, read from its `$JS.ACK…` reply subject. */
export interface Delivery {
  readonly stream: string;
  /** How many times this message was delivered, this time included. */
  readonly deliveryCount: number;
  readonly streamSequence: number;
  /** The consumer's own count of deliveries: one more for each, redeliveries included. */
  readonly consumerSequence: number;
  /** Messages the consumer still holds after this one. */
  readonly pending: number;
}

/**
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>` (9 tokens) or, from
 * servers with domains, `$JS.ACK.<domain>.<account>.<stream>.<consumer>.…` (12 tokens);
 * undefined for anything else.
 */
export function deliveryOf(reply: string | undefined): Delivery | undefined {
  if (!reply?.startsWith('$JS.ACK.')) return undefined;
  const tokens = reply.split('.');
  const at = tokens.length === 9 ? 2 : tokens.length >= 11 ? 4 : -1;
  if (at < 0) return undefined;
  const number = (i: number) => Number(tokens[at + i]);
  return {
    stream: tokens[at] as string,
    deliveryCount: number(2),
    streamSequence: number(3),
    consumerSequence: number(4),
    pending: number(6),
  };
}
