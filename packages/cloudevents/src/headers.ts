import { show, type CloudEvent } from './cloudevent.js';
import { isStructuredContentType } from './content-type.js';
import { utf8 } from './data.js';
import { InvalidCloudEvent } from './errors.js';
import { percentDecode, percentEncode } from './percent.js';

/** Binary mode: attributes in headers, data as the message body. Structured: the JSON format. */
export type BindingMode = 'binary' | 'structured';

/** How one protocol binding spells binary-mode attributes as headers. */
export interface HeaderDialect {
  /** Binding name for messages: `Kafka`, `NATS`. */
  readonly binding: string;
  /** `ce_` (Kafka) or `ce-` (NATS). */
  readonly prefix: string;
  /** NATS percent-encodes values (its binding, 3.1.3.2); Kafka carries UTF-8 as is. */
  readonly percentEncoded: boolean;
  /** NATS maps `datacontenttype` to `ce-datacontenttype` as well as `content-type`. */
  readonly contentTypeAttributeHeader: boolean;
}

/** A header value as clients deliver it: text, bytes, or several of them. */
export type HeaderValue = string | Uint8Array | readonly (string | Uint8Array)[] | undefined;

/** Headers as a record (kafkajs, plain objects) or as entries (NATS `MsgHdrs`, `Map`). */
export type HeaderSource =
  Readonly<Record<string, HeaderValue>> | Iterable<readonly [string, HeaderValue]>;

export const CONTENT_TYPE = 'content-type';

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
    headers[dialect.prefix + name] = dialect.percentEncoded ? percentEncode(text) : text;
  }
  return headers;
}

/** What the headers of a received message say. */
export interface ReadHeaders {
  /** `content-type`, which is the datacontenttype in binary mode and the format in structured. */
  readonly contentType: string | undefined;
  /** The attributes found in `<prefix>` headers (values are strings), datacontenttype included. */
  readonly attributes: Record<string, unknown>;
  /** Whether any `<prefix>` header was present. */
  readonly any: boolean;
}

/**
 * Reads a message's headers in one pass. Names match case-insensitively; byte values must be
 * UTF-8; a header given several differing values, or twice under different cases, is rejected.
 */
export function readHeaders(source: HeaderSource | undefined, dialect: HeaderDialect): ReadHeaders {
  const attributes: Record<string, unknown> = {};
  let contentType: string | undefined;
  let any = false;
  const read = (header: string, raw: HeaderValue): void => {
    if (raw === undefined) return;
    const lower = header.toLowerCase();
    if (lower === CONTENT_TYPE) {
      contentType = single(header, raw, 'datacontenttype', contentType);
      return;
    }
    if (!lower.startsWith(dialect.prefix)) return;
    const name = lower.slice(dialect.prefix.length);
    if (name === 'data' || name === 'data_base64') {
      throw new InvalidCloudEvent(
        `header "${header}": data travels in the message body, "${name}" is not a header attribute`,
        name,
      );
    }
    const value = single(header, raw, name, attributes[name] as string | undefined);
    attributes[name] = dialect.percentEncoded ? percentDecode(value, header, name) : value;
    any = true;
  };
  if (source !== undefined) {
    if (isIterable(source)) for (const [header, raw] of source) read(header, raw);
    else for (const header in source) read(header, source[header]);
  }
  return { contentType, attributes, any };
}

/**
 * The event's datacontenttype in binary mode: `content-type`, or `<prefix>datacontenttype`
 * (NATS spells it so; the JavaScript SDK's Kafka binding sends both). Both must agree.
 */
export function binaryContentType(read: ReadHeaders, dialect: HeaderDialect): string | undefined {
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
