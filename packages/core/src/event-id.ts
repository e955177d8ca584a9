import { createHash } from 'node:crypto';
import { stableJson } from './json.js';

/** The UUID v5 namespace of eventfan event ids: uuid5(URL namespace, "eventfan"). */
export const EVENT_ID_NAMESPACE = '77ac3011-5a20-53e0-ac16-06124cf1c431';

const namespaceBytes = Buffer.from(EVENT_ID_NAMESPACE.replaceAll('-', ''), 'hex');

/**
 * UUID v5 of stream, generation, type and data (as canonical JSON). Re-sending the same event
 * gives the same id, so every broker drops the duplicate with its own mechanism (ESDB event id,
 * Nats-Msg-Id, consumer-side ce id). The content is part of the name so that a *different* event
 * written by a concurrent writer at the same generation gets a different id: with stream and
 * generation alone, a broker's idempotency check would take it for a duplicate and lose it.
 */
export function eventId(stream: string, generation: number, type: string, data: unknown): string {
  const hash = createHash('sha1')
    .update(namespaceBytes)
    .update(`${stream}\u0000${generation}\u0000${type}\u0000${stableJson(data)}`, 'utf8')
    .digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
