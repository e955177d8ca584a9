import { checkAttributes, IN_FULL } from './attributes.js';

/**
 * A CloudEvent 1.0 as plain data. Binary data is a `Uint8Array` in `data` (decoders always give it
 * that way); `data_base64` is accepted on input as the JSON format's spelling of the same bytes.
 */
export interface CloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject?: string;
  readonly time?: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  readonly data?: unknown;
  readonly data_base64?: string;
  readonly [extension: string]: unknown;
}

/**
 * Checks `event` against CloudEvents 1.0 (required attributes, specversion, attribute types,
 * extension names and values, RFC 3339 `time`, data matching `datacontenttype`) and returns it
 * unchanged, typed. Throws InvalidCloudEvent naming the first attribute at fault.
 */
export function validateCloudEvent(event: unknown): CloudEvent {
  checkAttributes(event, IN_FULL);
  return event as CloudEvent;
}
