import { createHash } from 'node:crypto';

/** The UUID v5 namespace of eventfan event ids: uuid5(URL namespace, "eventfan"). */
export const EVENT_ID_NAMESPACE = '77ac3011-5a20-53e0-ac16-06124cf1c431';

const namespaceBytes = Buffer.from(EVENT_ID_NAMESPACE.replaceAll('-', ''), 'hex');

/**
 * UUID v5 of stream, generation and the identity of the command that produced the event. A
 * re-send of a stored event carries its stored id, so every broker drops the duplicate with its
 * own mechanism (ESDB event id, Nats-Msg-Id, consumer-side ce id). The command identity — the
 * caller's idempotency key, else one drawn per `handle` call — keeps two different commands apart
 * even when their events are equal: with stream, generation and content alone, an append of the
 * second would be taken for a retry of the first and silently lost.
 */
export function eventId(stream: string, generation: number, commandId: string): string {
  const hash = createHash('sha1')
    .update(namespaceBytes)
    .update(`${stream}\u0000${generation}\u0000${commandId}`, 'utf8')
    .digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
