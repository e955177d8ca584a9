import { validateCloudEvent, type CloudEvent } from './cloudevent.js';
import { isStructuredContentType } from './content-type.js';
import { bytesToData, utf8 } from './data.js';
import { InvalidCloudEvent, show } from './errors.js';
import { Memo } from './memo.js';
import { percentDecode, percentEncode } from './percent.js';

/** Binary mode: attributes in headers, data as the message body. Structured: the JSON format. */
export type BindingMode = 'binary' | 'structured';

/** Options of the binding encoders (`toKafkaRecord`, `toNatsRecord` and their envelope forms). */
export interface BindingOptions {
  /** Default `'binary'`. */
  readonly mode?: BindingMode;
}

/** A header value as clients deliver it: text, bytes, or several of them. */
export type HeaderValue = string | Uint8Array | readonly (string | Uint8Array)[] | undefined;

/** Headers as a record (kafkajs, plain objects) or as entries (NATS `MsgHdrs`, `Map`). */
export type HeaderSource =
  Readonly<Record<string, HeaderValue>> | Iterable<readonly [string, HeaderValue]>;

export const CONTENT_TYPE = 'content-type';

/** What a received header name means: `content-type`, an attribute, or nothing to us. */
type HeaderRole =
  { readonly kind: 'content-type' } | { readonly kind: 'attribute'; readonly name: string } | null;

/** How one protocol binding spells binary-mode attributes as headers. */
export interface HeaderSpelling {
  /** Binding name for messages: `Kafka`, `NATS`. */
  readonly binding: string;
  /** `ce_` (Kafka) or `ce-` (NATS). */
  readonly prefix: string;
  /** NATS percent-encodes values (its binding, 3.1.3.2); Kafka carries UTF-8 as is. */
  readonly percentEncoded: boolean;
  /** NATS maps `datacontenttype` to `ce-datacontenttype` as well as `content-type`. */
  readonly contentTypeAttributeHeader: boolean;
}

const NAME_MEMO_LIMIT = 256;

/**
 * A binding's header spelling, with header names remembered both ways: the same few names recur
 * on every message. Kafka and NATS differ only in their spelling.
 */
export class HeaderDialect implements HeaderSpelling {
  readonly binding: string;
  readonly prefix: string;
  readonly percentEncoded: boolean;
  readonly contentTypeAttributeHeader: boolean;
  readonly #headerNames = new Memo<string, string>(NAME_MEMO_LIMIT);
  readonly #roles = new Memo<string, HeaderRole>(NAME_MEMO_LIMIT);

  constructor(spelling: HeaderSpelling) {
    this.binding = spelling.binding;
    this.prefix = spelling.prefix;
    this.percentEncoded = spelling.percentEncoded;
    this.contentTypeAttributeHeader = spelling.contentTypeAttributeHeader;
  }

  headerName(attribute: string): string {
    return (
      this.#headerNames.get(attribute) ??
      this.#headerNames.remember(attribute, this.prefix + attribute)
    );
  }

  role(header: string): HeaderRole {
    const known = this.#roles.get(header);
    if (known !== undefined) return known;
    const lower = header.toLowerCase();
    return this.#roles.remember(
      header,
      lower === CONTENT_TYPE
        ? { kind: 'content-type' }
        : lower.startsWith(this.prefix)
          ? { kind: 'attribute', name: lower.slice(this.prefix.length) }
          : null,
    );
  }
}

/**
 * The binary-mode headers of a valid event: every attribute but data as `<prefix><name>`, and
 * `datacontenttype` as `content-type`.
 */
export function toHeaders(event: CloudEvent, dialect: HeaderDialect): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in event) {
    const value = event[name];
    if (value === undefined || name === 'data' || name === 'data_base64') continue;
    const text = typeof value === 'string' ? value : String(value);
    if (name === 'datacontenttype') {
      if (isStructuredContentType(text)) {
        throw new InvalidCloudEvent(
          `${dialect.binding} binary mode cannot carry datacontenttype "${text}": receivers would take the message for a structured-mode event; use structured mode`,
          name,
          { eventId: event.id },
        );
      }
      headers[CONTENT_TYPE] = text;
      if (!dialect.contentTypeAttributeHeader) continue;
    }
    headers[dialect.headerName(name)] = dialect.percentEncoded ? percentEncode(text) : text;
  }
  return headers;
}

/** What the headers of a received message say. */
export interface ReadHeaders {
  /** `content-type`, which is the datacontenttype in binary mode and the format in structured. */
  contentType: string | undefined;
  /** The attributes found in `<prefix>` headers (values are strings), datacontenttype included. */
  readonly attributes: Record<string, unknown>;
  /** Whether any `<prefix>` header was present. */
  any: boolean;
}

/**
 * Reads a message's headers in one pass. Names match case-insensitively; byte values must be
 * UTF-8; a header given several differing values, or twice under different cases, is rejected.
 */
export function readHeaders(source: HeaderSource | undefined, dialect: HeaderDialect): ReadHeaders {
  const read: ReadHeaders = { contentType: undefined, attributes: {}, any: false };
  if (source === undefined) return read;
  if (isIterable(source)) {
    for (const [header, raw] of source) readHeader(read, dialect, header, raw);
  } else {
    for (const header in source) readHeader(read, dialect, header, source[header]);
  }
  return read;
}

function readHeader(
  read: ReadHeaders,
  dialect: HeaderDialect,
  header: string,
  raw: HeaderValue,
): void {
  if (raw === undefined) return;
  const role = dialect.role(header);
  if (role === null) return;
  if (role.kind === 'content-type') {
    read.contentType = single(header, raw, 'datacontenttype', read.contentType);
    return;
  }
  const { name } = role;
  if (name === 'data' || name === 'data_base64') {
    throw new InvalidCloudEvent(
      `header "${header}": data travels in the message body, "${name}" is not a header attribute`,
      name,
    );
  }
  // Assigning it would set the prototype rather than an attribute.
  if (name === '__proto__')
    throw new InvalidCloudEvent(`header "${header}" names no attribute`, name);
  const value = single(header, raw, name, read.attributes[name] as string | undefined);
  read.attributes[name] = dialect.percentEncoded ? percentDecode(value, header, name) : value;
  read.any = true;
}

/**
 * The CloudEvent of a binary-mode message: the attributes its headers carry, and `payload` (when
 * the message has one) as data. Throws InvalidCloudEvent.
 */
export function fromBinary(
  read: ReadHeaders,
  dialect: HeaderDialect,
  payload: Uint8Array | undefined,
): CloudEvent {
  const attributes = read.attributes;
  const contentType = binaryContentType(read, dialect);
  if (contentType !== undefined) attributes.datacontenttype = contentType;
  if (payload !== undefined) {
    const eventId = typeof attributes.id === 'string' ? attributes.id : undefined;
    attributes.data = bytesToData(payload, contentType, eventId);
  }
  return validateCloudEvent(attributes);
}

/**
 * The event's datacontenttype in binary mode: `content-type`, or `<prefix>datacontenttype`
 * (NATS spells it so; the JavaScript SDK's Kafka binding sends both). Both must agree.
 */
function binaryContentType(read: ReadHeaders, dialect: HeaderDialect): string | undefined {
  const attribute = read.attributes.datacontenttype as string | undefined;
  if (attribute !== undefined && read.contentType !== undefined && attribute !== read.contentType) {
    throw new InvalidCloudEvent(
      `headers "${CONTENT_TYPE}" (${show(read.contentType)}) and "${dialect.prefix}datacontenttype" (${show(attribute)}) disagree`,
      'datacontenttype',
    );
  }
  return read.contentType ?? attribute;
}

function single(
  header: string,
  raw: Exclude<HeaderValue, undefined>,
  attribute: string,
  seen: string | undefined,
): string {
  let value: string;
  if (typeof raw === 'string') value = raw;
  else if (raw instanceof Uint8Array) value = utf8(raw, `header "${header}"`, attribute);
  else {
    const values = raw.map((item) =>
      typeof item === 'string' ? item : utf8(item, `header "${header}"`, attribute),
    );
    const [first] = values;
    if (first === undefined || values.some((item) => item !== first)) {
      throw new InvalidCloudEvent(
        `header "${header}" must carry one value, got ${values.length}: ${values.map((item) => show(item)).join(', ')}`,
        attribute,
      );
    }
    value = first;
  }
  if (seen !== undefined) {
    throw new InvalidCloudEvent(
      `header "${header}" appears more than once (names are case-insensitive)`,
      attribute,
    );
  }
  return value;
}

function isIterable(source: HeaderSource): source is Iterable<readonly [string, HeaderValue]> {
  return typeof (source as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';
}
