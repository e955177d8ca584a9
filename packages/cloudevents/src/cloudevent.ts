import { findNonJson } from '@eventfan/core';
import { isJsonContentType, mediaType } from './content-type.js';
import { InvalidCloudEvent, show } from './errors.js';
import { remember } from './remember.js';
import { isRfc3339 } from './rfc3339.js';

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

/** Context attributes and data members the spec defines; no extension may take these names. */
export const RESERVED_ATTRIBUTES: ReadonlySet<string> = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
  'data',
  'data_base64',
]);

const REQUIRED_SET: ReadonlySet<string> = new Set(['id', 'source', 'type', 'specversion']);
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
// The spec's String type excludes C0/C1 controls and lone surrogates (controls would also break
// header-based bindings).
// eslint-disable-next-line no-control-regex
const MAYBE_BAD_CHARACTER = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/;
const BAD_CHARACTER =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const URI_REFERENCE = /^(?:[\w\-.~!$&'()*+,;=:@/?#[\]]|%[\dA-Fa-f]{2})+$/;
const URI_SCHEME = /^[A-Za-z][A-Za-z\d+.-]*:/;
const BASE64 = /^[A-Za-z\d+/]*={0,2}$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
// Applications reuse a few sources and extension names: each is checked once.
const knownUris = new Set<string>();
let lastSource = '';
const knownExtensionNames = new Set<string>();

/** Whether `value` is standard base64 (RFC 4648) text, as `data_base64` must be. */
function isBase64(value: string): boolean {
  return value.length % 4 === 0 && BASE64.test(value);
}

/** Whether `name` may be used for an extension attribute: `[a-z0-9]{1,20}` and not reserved. */
export function isExtensionName(name: string): boolean {
  return EXTENSION_NAME.test(name) && !RESERVED_ATTRIBUTES.has(name);
}

/** Why `name` cannot be an extension attribute, or undefined when it can. */
export function extensionNameProblem(name: string): string | undefined {
  if (RESERVED_ATTRIBUTES.has(name)) {
    return `"${name}" is a reserved CloudEvents attribute and cannot be used as an extension name`;
  }
  if (!EXTENSION_NAME.test(name)) {
    return `extension name "${name}" must be 1 to 20 lowercase ASCII letters or digits ([a-z0-9]{1,20})`;
  }
  return undefined;
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
  checkData(event, event.id);
  return false;
}

/**
 * The checks of `validateCloudEvent`. `fromJson`: null attributes count as unset, as the JSON
 * format requires. `scanStrings: false` leaves out the scan for forbidden characters, for the
 * JSON format to rule out more cheaply on the JSON text (`jsonMayHideBadCharacter`). Returns
 * whether the event holds such nulls or `data_base64` (which a decoder then normalizes), so that
 * decoding walks the attributes once.
 */
export function checkAttributes(event: unknown, fromJson: boolean, scanStrings: boolean): boolean {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidCloudEvent(`a CloudEvent is an object of attributes, got ${show(event)}`);
  }
  const attributes = event as Record<string, unknown>;
  const eventId = typeof attributes.id === 'string' ? attributes.id : undefined;
  let needsNormalizing = false;
  for (const name in attributes) {
    const value = attributes[name];
    if (value === undefined || name === 'data') continue;
    if (value === null) {
      if (fromJson) needsNormalizing = true;
      if (fromJson || REQUIRED_SET.has(name)) continue; // required ones are reported as missing
      fail(name, `${name} is null; omit an unset attribute instead`, eventId);
    }
    switch (name) {
      case 'specversion':
        if (value !== '1.0') {
          fail(name, `specversion must be "1.0", got ${show(value)}`, eventId);
        }
        break;
      case 'id':
      case 'type':
      case 'subject':
        nonEmptyString(name, value, eventId);
        if (scanStrings) checkCharacters(name, value as string, eventId);
        break;
      case 'source':
        checkUri(name, nonEmptyString(name, value, eventId), false, eventId);
        break;
      case 'dataschema':
        checkUri(name, nonEmptyString(name, value, eventId), true, eventId);
        break;
      case 'time':
        if (!isRfc3339(nonEmptyString(name, value, eventId))) {
          fail(name, `time must be an RFC 3339 timestamp, got ${show(value)}`, eventId);
        }
        break;
      case 'datacontenttype':
        if (!mediaType(nonEmptyString(name, value, eventId)).valid) {
          fail(
            name,
            `datacontenttype must be an RFC 2046 media type (type/subtype), got ${show(value)}`,
            eventId,
          );
        }
        break;
      case 'data_base64':
        if (typeof value !== 'string' || !isBase64(value)) {
          fail(name, `data_base64 must be a base64 (RFC 4648) string, got ${show(value)}`, eventId);
        }
        needsNormalizing = true;
        break;
      default:
        if (checkExtension(name, value, eventId) && scanStrings) {
          checkCharacters(name, value as string, eventId);
        }
    }
  }
  const { id, source, type, specversion } = attributes;
  if (id === undefined || id === null) missing('id', eventId);
  if (source === undefined || source === null) missing('source', eventId);
  if (type === undefined || type === null) missing('type', eventId);
  if (specversion === undefined || specversion === null) missing('specversion', eventId);
  checkData(attributes, eventId);
  return needsNormalizing;
}

function missing(name: string, eventId: string | undefined): never {
  return fail(name, `required attribute "${name}" is missing`, eventId);
}

/** Checks an extension's name and value type; true when the value is a string. */
function checkExtension(name: string, value: unknown, eventId: string | undefined): boolean {
  if (!knownExtensionNames.has(name)) {
    const problem = extensionNameProblem(name);
    if (problem !== undefined) fail(name, problem, eventId);
    remember(knownExtensionNames, name);
  }
  switch (typeof value) {
    case 'string':
      // Partitioning and Sequence define their attribute as a non-empty string.
      if (value === '' && (name === 'partitionkey' || name === 'sequence')) {
        fail(name, `${name} must be a non-empty string`, eventId);
      }
      return true;
    case 'boolean':
      return false;
    case 'number':
      if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return false;
      return fail(
        name,
        `${name} is ${value}; number attributes must be 32-bit signed integers`,
        eventId,
      );
    default:
      return fail(
        name,
        `${name} is ${show(value)}; extension values must be strings, booleans or 32-bit integers`,
        eventId,
      );
  }
}

function checkUri(name: string, value: string, absolute: boolean, eventId: string | undefined) {
  // Comparing with the last source is cheaper than hashing a freshly decoded string.
  if (!absolute && (value === lastSource || knownUris.has(value))) {
    lastSource = value;
    return;
  }
  if ((absolute && !URI_SCHEME.test(value)) || !URI_REFERENCE.test(value)) {
    fail(
      name,
      `${name} must be ${absolute ? 'an absolute URI' : 'a URI-reference'} (RFC 3986), got ${show(value)}`,
      eventId,
    );
  }
  if (!absolute) {
    lastSource = value;
    remember(knownUris, value);
  }
}

/**
 * Whether JSON text may carry an attribute string with a forbidden character. JSON text holds no
 * raw C0 control, so one inside a string shows as an escape (a backslash), as do lone surrogates
 * written by JSON.stringify; DEL is searched for; C1 controls and surrogates are not ASCII. So
 * ASCII text without a backslash or DEL hides none: three native scans instead of one per string.
 */
export function jsonMayHideBadCharacter(json: string): boolean {
  return json.includes('\\') || json.includes('\x7f') || Buffer.byteLength(json) !== json.length;
}

/** Scans every string attribute for forbidden characters (see `jsonMayHideBadCharacter`). */
export function checkAllCharacters(attributes: Record<string, unknown>): void {
  const eventId = typeof attributes.id === 'string' ? attributes.id : undefined;
  for (const name in attributes) {
    const value = attributes[name];
    if (name !== 'data' && typeof value === 'string') checkCharacters(name, value, eventId);
  }
}

function checkCharacters(name: string, value: string, eventId: string | undefined): void {
  // The broad class is the quick test; the exact one only runs when it matches (emoji do).
  if (MAYBE_BAD_CHARACTER.test(value) && BAD_CHARACTER.test(value)) {
    fail(
      name,
      `${name} contains a control character or a lone surrogate, which CloudEvents strings exclude`,
      eventId,
    );
  }
}

function checkData(attributes: Record<string, unknown>, eventId: string | undefined): void {
  const { data, data_base64: base64, datacontenttype } = attributes;
  if (data !== undefined && base64 !== undefined) {
    fail('data', 'an event carries either data or data_base64, not both', eventId);
  }
  const contentType = datacontenttype as string | undefined;
  if (isJsonContentType(contentType)) {
    const binary = base64 !== undefined || data instanceof Uint8Array;
    if (binary) {
      fail(base64 !== undefined ? 'data_base64' : 'data', binaryUnderJson(contentType), eventId);
    }
    if (data === undefined || isJsonValue(data, 0)) return;
    const notJson = findNonJson(data, 'data');
    if (notJson !== undefined) {
      fail(
        'data',
        `${notJson}; ${contentType === undefined ? 'with no datacontenttype' : `under datacontenttype "${contentType}"`} data must be a JSON value`,
        eventId,
      );
    }
  } else if (data !== undefined && typeof data !== 'string' && !(data instanceof Uint8Array)) {
    fail(
      'data',
      `data under non-JSON datacontenttype "${contentType}" must be a string or a Uint8Array, got ${show(data)}`,
      eventId,
    );
  }
}

const MAX_FAST_DEPTH = 64;

/**
 * Whether `value` is plain JSON: the allocation-free fast path. False also for nesting beyond
 * MAX_FAST_DEPTH (cycles end there), where core's `findNonJson` decides and says why.
 */
function isJsonValue(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth === MAX_FAST_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isJsonValue(value[i], depth + 1)) return false;
        return true;
      }
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      const record = value as Record<string, unknown>;
      for (const key in record) if (!isJsonValue(record[key], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

/** Why binary data cannot travel under `contentType` (a JSON type, or none). */
function binaryUnderJson(contentType: string | undefined): string {
  return `binary data needs a non-JSON datacontenttype naming its format (e.g. application/octet-stream); ${contentType === undefined ? 'with none, JSON data is implied' : `"${contentType}" declares JSON data`}`;
}

function nonEmptyString(name: string, value: unknown, eventId: string | undefined): string {
  if (typeof value !== 'string') {
    return fail(name, `${name} must be a string, got ${show(value)}`, eventId);
  }
  if (value === '') fail(name, `${name} must be a non-empty string`, eventId);
  return value;
}

function fail(attribute: string, reason: string, eventId: string | undefined): never {
  throw new InvalidCloudEvent(reason, attribute, eventId === undefined ? undefined : { eventId });
}
