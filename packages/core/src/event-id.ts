import { hash } from 'node:crypto';

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
  const name = `${stream}\u0000${generation}\u0000${commandId}`;
  // One-shot SHA-1 of namespace + name (no Hash object per event) in one buffer, as hex.
  const input = Buffer.allocUnsafe(namespaceBytes.length + Buffer.byteLength(name, 'utf8'));
  namespaceBytes.copy(input);
  input.write(name, namespaceBytes.length, 'utf8');
  const hex = hash('sha1', input, 'hex');
  // RFC 9562 UUID v5: the version digit is 5; the variant digit keeps its low two bits under
  // the variant's "10", which leaves 8, 9, a or b.
  const variant = VARIANT_DIGITS[Number.parseInt(hex.charAt(16), 16) % 4];
  // join gives one flat string; a template would keep a rope of slices for as long as the id lives.
  const groups = [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `5${hex.slice(13, 16)}`,
    `${variant}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ];
  return groups.join('-');
}

const VARIANT_DIGITS = '89ab';
