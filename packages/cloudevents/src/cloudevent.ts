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

// The event `toCloudEvent` built, validated and froze last, until an encoder takes it: that
// encoder need not check its attributes again. Dispatchers encode each event right after building
// it, so one is enough; any other event (a copy, an older one, the same one encoded twice) is
// checked in full. Cheaper than a WeakSet of them all, and nothing is held once encoded.
let vouched: CloudEvent | undefined;

/** Freezes `event`, just validated, and vouches for it to `assertValid`. Returns it. */
export function vouchFor(event: CloudEvent): CloudEvent {
  vouched = Object.freeze(event);
  return event;
}

/**
 * What an encoder checks before anything leaves: `validateCloudEvent`, except that the event
 * `vouchFor` froze last keeps its checked attributes and only its data (a reference the caller
 * may still mutate) is checked again. Returns whether the attributes were checked here.
 */
export function assertValid(event: CloudEvent, scanStrings: boolean): boolean {
  if (event !== vouched) {
    checkAttributes(event, false, scanStrings);
    return true;
  }
  vouched = undefined;
  checkData(event, event.data, event.data_base64, event.datacontenttype, false);
  return false;
}
