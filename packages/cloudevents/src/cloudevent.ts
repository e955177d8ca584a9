import { checkAttributes } from './attributes.js';
import { checkData } from './data-check.js';

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
  checkAttributes(event, false, true);
  return event as CloudEvent;
}

// Events `toCloudEvent` built, validated and froze: an encoder need not check their attributes
// again. A WeakSet, so only these very objects count (a copy is checked) and none is kept alive.
const vouched = new WeakSet<CloudEvent>();

/** Freezes `event`, just validated, and vouches for it to `assertValid`. Returns it. */
export function vouchFor(event: CloudEvent): CloudEvent {
  vouched.add(Object.freeze(event));
  return event;
}

/**
 * What an encoder checks before anything leaves: `validateCloudEvent`, except that an event
 * `vouchFor` froze keeps its checked attributes and only its data (a reference the caller may
 * still mutate) is checked again. Returns whether the attributes were checked here.
 */
export function assertValid(event: CloudEvent, scanStrings: boolean): boolean {
  if (!vouched.has(event)) {
    checkAttributes(event, false, scanStrings);
    return true;
  }
  checkData(event, event.data, event.data_base64, event.datacontenttype, false);
  return false;
}
