import { createHash } from 'node:crypto';

/** The UUID v5 namespace of eventfan event ids (itself a v5 of "eventfan" in the URL namespace). */
export const EVENT_ID_NAMESPACE = '77ac3011-5a20-53e0-ac16-06124cf1c431';

const namespaceBytes = Buffer.from(EVENT_ID_NAMESPACE.replaceAll('-', ''), 'hex');

/**
 * UUID v5 of `stream` and `generation`. A retried dispatch produces the same ids, so every broker
 * can drop the duplicate with its own mechanism (ESDB event id, Nats-Msg-Id, consumer-side ce id).
 */
export function eventId(stream: string, generation: number): string {
  const hash = createHash('sha1')
    .update(namespaceBytes)
    .update(`${stream}\u0000${generation}`, 'utf8')
    .digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
