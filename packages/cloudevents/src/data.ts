import type { CloudEvent } from './cloudevent.js';
import { isJsonContentType, mediaType } from './content-type.js';
import { InvalidCloudEvent } from './errors.js';

// Fatal: bytes that are not UTF-8 are an error, not silently replaced. Keep a leading BOM as data.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 text of `bytes` (`what` names them in the error); InvalidCloudEvent when not UTF-8. */
export function utf8(
  bytes: Uint8Array,
  what: string,
  attribute?: string,
  eventId?: string,
): string {
  try {
    return UTF8.decode(bytes);
  } catch (cause) {
    throw new InvalidCloudEvent(`${what} is not valid UTF-8`, attribute, { eventId, cause });
  }
}

/**
 * The bytes a binary-mode message (or a non-JSON store record) carries for the event's data, per
 * `datacontenttype`: JSON text for JSON data, UTF-8 for strings, the bytes themselves for binary.
 * Undefined when the event has no data. The event must already be valid.
 */
export function dataToBytes(event: CloudEvent): Buffer | undefined {
  const { data, data_base64: base64 } = event;
  if (base64 !== undefined) return Buffer.from(base64, 'base64');
  if (data === undefined) return undefined;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (isJsonContentType(event.datacontenttype)) return Buffer.from(JSON.stringify(data));
  return Buffer.from(data as string);
}

/**
 * The data carried as `bytes` under `contentType`: a JSON value for JSON content types (or none),
 * a string for text types (`text/*`, XML, a `charset` parameter), otherwise the bytes, as a
 * `Uint8Array` view without a copy.
 */
export function bytesToData(
  bytes: Uint8Array,
  contentType: string | undefined,
  eventId: string | undefined,
): unknown {
  if (isJsonContentType(contentType)) {
    const text = utf8(bytes, 'data', 'data', eventId);
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new InvalidCloudEvent(
        `data is not valid JSON although ${contentType === undefined ? 'no datacontenttype implies JSON' : `datacontenttype "${contentType}" declares JSON`}: ${(cause as Error).message}`,
        'data',
        { eventId, cause },
      );
    }
  }
  if (mediaType(contentType as string).text) return utf8(bytes, 'data', 'data', eventId);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Base64 text to a `Uint8Array` (the JSON format's `data_base64`). */
export function base64ToBytes(base64: string): Uint8Array {
  const buffer = Buffer.from(base64, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Whether the event's data is empty: a binding that cannot tell empty from absent refuses it. */
export function hasEmptyNonJsonData(event: CloudEvent): boolean {
  const { data, data_base64: base64 } = event;
  if (isJsonContentType(event.datacontenttype)) return false;
  return base64 === '' || data === '' || (data instanceof Uint8Array && data.length === 0);
}
