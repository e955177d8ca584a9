import { checkCharacters } from './characters.js';
import { mediaType } from './content-type.js';
import { checkData, type DataOrigin } from './data-check.js';
import { invalid, InvalidCloudEvent, show } from './errors.js';
import { Memo } from './memo.js';
import { extensionNameProblem } from './names.js';
import { isRfc3339 } from './rfc3339.js';

type Attributes = Readonly<Record<string, unknown>>;

/** What `checkAttributes` checks an attribute for, decided by its name; required ones first. */
const enum Kind {
  Specversion,
  Id,
  Source,
  Type,
  Subject,
  Dataschema,
  Time,
  ContentType,
  Base64,
  Extension,
}
const LAST_REQUIRED = Kind.Type;

// The walk sets bit `1 << kind` for each required attribute it meets, so that none is looked up
// again to find it missing.
const ALL_REQUIRED = (1 << (LAST_REQUIRED + 1)) - 1;

const URI_REFERENCE = /^(?:[\w\-.~!$&'()*+,;=:@/?#[\]]|%[\dA-Fa-f]{2})+$/;
const URI_SCHEME = /^[A-Za-z][A-Za-z\d+.-]*:/;
const BASE64 = /^[A-Za-z\d+/]*={0,2}$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

// Events of one application repeat their extension names and most values: names found valid and,
// per attribute, the last value that passed its checks are remembered, and an exact repeat is not
// checked again. Long values are not kept.
const extensionNames = new Memo<string, Kind.Extension>(256);
const goodValues = new Memo<string, string>(256);
const MAX_REMEMBERED_LENGTH = 256;

/** How `checkAttributes` reads an event. */
export interface CheckOptions extends DataOrigin {
  /**
   * Scan strings for forbidden characters. False when the caller rules them out more cheaply on
   * the JSON text (`jsonMayHideBadCharacter`).
   */
  readonly scanStrings: boolean;
}

/** An event handed in as an object, checked in full. */
export const IN_FULL: CheckOptions = { parsedJson: false, scanStrings: true };

/**
 * The checks of `validateCloudEvent`, in one walk over the attributes. From JSON.parse
 * (`parsedJson`), null attributes count as unset, as the JSON format requires. Returns whether the
 * event holds such nulls or `data_base64` (which a decoder then normalizes).
 */
export function checkAttributes(event: unknown, options: CheckOptions): boolean {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidCloudEvent(`a CloudEvent is an object of attributes, got ${show(event)}`);
  }
  const attributes = event as Attributes;
  let needsNormalizing = false;
  let required = 0;
  let data: unknown;
  let base64: unknown;
  let contentType: string | undefined;
  for (const name in attributes) {
    const value = attributes[name];
    if (value === undefined) continue;
    if (name === 'data') {
      data = value;
      continue;
    }
    if (value === null) {
      if (options.parsedJson) {
        needsNormalizing = true;
        continue;
      }
      // Required ones are reported as missing.
      if (kindOf(name, attributes) <= LAST_REQUIRED) continue;
      invalid(attributes, name, `${name} is null; omit an unset attribute instead`);
    }
    const kind = kindOf(name, attributes);
    if (kind <= LAST_REQUIRED) required |= 1 << kind;
    switch (kind) {
      case Kind.Specversion:
        if (value !== '1.0') {
          invalid(attributes, name, `specversion must be "1.0", got ${show(value)}`);
        }
        break;
      case Kind.Id:
      case Kind.Type:
      case Kind.Subject:
        nonEmptyString(attributes, name, value);
        if (options.scanStrings) scan(attributes, name, value as string);
        break;
      case Kind.Source:
        checkUriReference(attributes, name, nonEmptyString(attributes, name, value));
        break;
      case Kind.Dataschema:
        checkAbsoluteUri(attributes, name, nonEmptyString(attributes, name, value));
        break;
      case Kind.Time:
        checkTime(attributes, name, nonEmptyString(attributes, name, value));
        break;
      case Kind.ContentType:
        contentType = nonEmptyString(attributes, name, value);
        if (!mediaType(contentType).valid) {
          invalid(
            attributes,
            name,
            `datacontenttype must be an RFC 2046 media type (type/subtype), got ${show(value)}`,
          );
        }
        break;
      case Kind.Base64:
        if (typeof value !== 'string' || !isBase64(value)) {
          invalid(
            attributes,
            name,
            `data_base64 must be a base64 (RFC 4648) string, got ${show(value)}`,
          );
        }
        base64 = value;
        needsNormalizing = true;
        break;
      case Kind.Extension:
        if (checkExtensionValue(attributes, name, value) && options.scanStrings) {
          scan(attributes, name, value as string);
        }
    }
  }
  if (required !== ALL_REQUIRED) reportMissing(attributes, required);
  checkData(attributes, data, base64, contentType, options);
  return needsNormalizing;
}

/** The Kind of attribute `name`; fails when it is neither defined by the spec nor an extension. */
function kindOf(name: string, attributes: Attributes): Kind {
  switch (name) {
    case 'specversion':
      return Kind.Specversion;
    case 'id':
      return Kind.Id;
    case 'source':
      return Kind.Source;
    case 'type':
      return Kind.Type;
    case 'subject':
      return Kind.Subject;
    case 'dataschema':
      return Kind.Dataschema;
    case 'time':
      return Kind.Time;
    case 'datacontenttype':
      return Kind.ContentType;
    case 'data_base64':
      return Kind.Base64;
    default:
      return extensionNames.get(name) ?? extensionNames.remember(name, extension(name, attributes));
  }
}

function extension(name: string, attributes: Attributes): Kind.Extension {
  const problem = extensionNameProblem(name);
  if (problem !== undefined) invalid(attributes, name, problem);
  return Kind.Extension;
}

const REQUIRED_IN_SPEC_ORDER = [
  ['id', Kind.Id],
  ['source', Kind.Source],
  ['type', Kind.Type],
  ['specversion', Kind.Specversion],
] as const;

/** Names the first required attribute (in the spec's order) that `required` lacks. */
function reportMissing(attributes: Attributes, required: number): never {
  const [name] = REQUIRED_IN_SPEC_ORDER.find(
    ([, kind]) => (required & (1 << kind)) === 0,
  ) as (typeof REQUIRED_IN_SPEC_ORDER)[number];
  return invalid(attributes, name, `required attribute "${name}" is missing`);
}

/** Fails when string attribute `name` holds a forbidden character (see `checkCharacters`). */
function scan(attributes: Attributes, name: string, value: string): void {
  if (goodValues.get(name) === value) return;
  checkCharacters(attributes, name, value);
  rememberGood(name, value);
}

function checkTime(attributes: Attributes, name: string, value: string): void {
  const last = goodValues.get(name);
  if (last === value) return;
  if (!isRfc3339(value, last)) {
    invalid(attributes, name, `time must be an RFC 3339 timestamp, got ${show(value)}`);
  }
  rememberGood(name, value);
}

function rememberGood(name: string, value: string): void {
  if (value.length <= MAX_REMEMBERED_LENGTH) goodValues.remember(name, value);
}

/** Checks an extension's value type; true when the value is a string. */
function checkExtensionValue(attributes: Attributes, name: string, value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      // Partitioning and Sequence define their attribute as a non-empty string.
      if (value === '' && (name === 'partitionkey' || name === 'sequence')) {
        invalid(attributes, name, `${name} must be a non-empty string`);
      }
      return true;
    case 'boolean':
      return false;
    case 'number':
      if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return false;
      return invalid(
        attributes,
        name,
        `${name} is ${value}; number attributes must be 32-bit signed integers`,
      );
    default:
      return invalid(
        attributes,
        name,
        `${name} is ${show(value)}; extension values must be strings, booleans or 32-bit integers`,
      );
  }
}

/** `source`: a URI-reference (RFC 3986). */
function checkUriReference(attributes: Attributes, name: string, value: string): void {
  if (goodValues.get(name) === value) return;
  if (!URI_REFERENCE.test(value)) {
    invalid(attributes, name, `${name} must be a URI-reference (RFC 3986), got ${show(value)}`);
  }
  rememberGood(name, value);
}

/** `dataschema`: an absolute URI (RFC 3986). */
function checkAbsoluteUri(attributes: Attributes, name: string, value: string): void {
  if (!URI_SCHEME.test(value) || !URI_REFERENCE.test(value)) {
    invalid(attributes, name, `${name} must be an absolute URI (RFC 3986), got ${show(value)}`);
  }
}

/** Whether `value` is standard base64 (RFC 4648) text, as `data_base64` must be. */
function isBase64(value: string): boolean {
  return value.length % 4 === 0 && BASE64.test(value);
}

function nonEmptyString(attributes: Attributes, name: string, value: unknown): string {
  if (typeof value !== 'string') {
    return invalid(attributes, name, `${name} must be a string, got ${show(value)}`);
  }
  if (value === '') invalid(attributes, name, `${name} must be a non-empty string`);
  return value;
}
