import { findNonJson } from '@eventfan/core';
import { isJsonContentType, mediaType } from './content-type.js';
import { InvalidCloudEvent } from './errors.js';

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

const REQUIRED = ['id', 'source', 'type', 'specversion'] as const;
const REQUIRED_SET: ReadonlySet<string> = new Set(REQUIRED);
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
// The spec's String type excludes C0/C1 controls and lone surrogates; controls would also break
// every header-based binding.
const BAD_CHARACTER =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
const URI_REFERENCE = /^(?:[\w\-.~!$&'()*+,;=:@/?#[\]]|%[\dA-Fa-f]{2})+$/;
const URI_SCHEME = /^[A-Za-z][A-Za-z\d+.-]*:/;
const BASE64 = /^[A-Za-z\d+/]*={0,2}$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Whether `value` is standard base64 (RFC 4648) text, as `data_base64` must be. */
export function isBase64(value: string): boolean {
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
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidCloudEvent(`a CloudEvent is an object of attributes, got ${show(event)}`);
  }
  const attributes = event as Record<string, unknown>;
  const eventId = typeof attributes.id === 'string' ? attributes.id : undefined;
  for (const name in attributes) {
    const value = attributes[name];
    if (value === undefined || name === 'data') continue;
    if (value === null) {
      if (REQUIRED_SET.has(name)) continue; // reported as missing below
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
        checkString(name, value, eventId, true);
        break;
      case 'source':
        checkString(name, value, eventId, true);
        if (!URI_REFERENCE.test(value as string)) {
          fail(name, `source must be a URI-reference (RFC 3986), got ${show(value)}`, eventId);
        }
        break;
      case 'dataschema':
        checkString(name, value, eventId, true);
        if (!URI_SCHEME.test(value as string) || !URI_REFERENCE.test(value as string)) {
          fail(name, `dataschema must be an absolute URI (RFC 3986), got ${show(value)}`, eventId);
        }
        break;
      case 'time':
        checkString(name, value, eventId, true);
        if (!isRfc3339(value as string)) {
          fail(name, `time must be an RFC 3339 timestamp, got ${show(value)}`, eventId);
        }
        break;
      case 'datacontenttype':
        checkString(name, value, eventId, true);
        if (!mediaType(value as string).valid) {
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
        break;
      default:
        checkExtension(name, value, eventId);
    }
  }
  for (const name of REQUIRED) {
    if (attributes[name] === undefined || attributes[name] === null) {
      fail(name, `required attribute "${name}" is missing`, eventId);
    }
  }
  checkData(attributes, eventId);
  return event as CloudEvent;
}

function checkExtension(name: string, value: unknown, eventId: string | undefined): void {
  const problem = extensionNameProblem(name);
  if (problem !== undefined) fail(name, problem, eventId);
  switch (typeof value) {
    case 'string':
      // Partitioning and Sequence define their attribute as a non-empty string.
      checkString(name, value, eventId, name === 'partitionkey' || name === 'sequence');
      return;
    case 'boolean':
      return;
    case 'number':
      if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return;
      fail(name, `${name} is ${value}; number attributes must be 32-bit signed integers`, eventId);
      return;
    default:
      fail(
        name,
        `${name} is ${show(value)}; extension values must be strings, booleans or 32-bit integers`,
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
    if (data === undefined) return;
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

/** Why binary data cannot travel under `contentType` (a JSON type, or none). */
export function binaryUnderJson(contentType: string | undefined): string {
  return `binary data needs a non-JSON datacontenttype naming its format (e.g. application/octet-stream); ${contentType === undefined ? 'with none, JSON data is implied' : `"${contentType}" declares JSON data`}`;
}

function checkString(
  name: string,
  value: unknown,
  eventId: string | undefined,
  nonEmpty: boolean,
): void {
  if (typeof value !== 'string') {
    fail(name, `${name} must be a string, got ${show(value)}`, eventId);
  }
  if (nonEmpty && value === '') fail(name, `${name} must be a non-empty string`, eventId);
  if (BAD_CHARACTER.test(value)) {
    fail(
      name,
      `${name} contains a control character or a lone surrogate, which CloudEvents strings exclude`,
      eventId,
    );
  }
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isRfc3339(value: string): boolean {
  const match = RFC3339.exec(value);
  if (match === null) return false;
  const [, year, month, day, hour, minute, second, offsetHour, offsetMinute] = match;
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = m === 2 && !leap ? 28 : (DAYS_IN_MONTH[m - 1] ?? 0);
  return (
    m >= 1 &&
    m <= 12 &&
    d >= 1 &&
    d <= days &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 60 &&
    (offsetHour === undefined || (Number(offsetHour) <= 23 && Number(offsetMinute) <= 59))
  );
}

function fail(attribute: string, reason: string, eventId: string | undefined): never {
  throw new InvalidCloudEvent(reason, attribute, eventId === undefined ? undefined : { eventId });
}

/** A short, safe rendering of a value for error messages. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (value === null || value === undefined) return String(value);
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no prototype'})`;
  return `${String(value)} (${typeof value})`;
}
