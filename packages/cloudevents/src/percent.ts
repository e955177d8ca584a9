import { InvalidCloudEvent } from './errors.js';

// Printable ASCII except '"' and '%' passes as is (NATS binding, 3.1.3.2, the HTTP binding's rule).
const NEEDS_ENCODING = /[^\x21\x23\x24\x26-\x7e]/;
const HEX = Array.from(
  { length: 256 },
  (_, byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
);
const QUOTED_PAIR = /\\(.)/g;

/** A header value percent-encoded as the NATS (and HTTP) binding requires. */
export function percentEncode(value: string): string {
  if (!NEEDS_ENCODING.test(value)) return value;
  let out = '';
  for (const character of value) {
    if (NEEDS_ENCODING.test(character)) {
      for (const byte of Buffer.from(character)) out += HEX[byte];
    } else {
      out += character;
    }
  }
  return out;
}

/**
 * A received header value: unquoted when it is an RFC 7230 quoted-string (older senders), then
 * percent-decoded once. Bytes that are not UTF-8 (overlong forms included) are rejected.
 */
export function percentDecode(value: string, header: string, attribute: string): string {
  let text = value;
  if (
    text.length >= 2 &&
    text.charCodeAt(0) === 0x22 &&
    text.charCodeAt(text.length - 1) === 0x22
  ) {
    text = text.slice(1, -1).replace(QUOTED_PAIR, '$1');
  }
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch (cause) {
    throw new InvalidCloudEvent(
      `header "${header}" is not validly percent-encoded UTF-8: ${JSON.stringify(value)}`,
      attribute,
      { cause },
    );
  }
}
