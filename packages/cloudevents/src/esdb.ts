import type { Envelope } from '@eventfan/core';
import { validateCloudEvent, type CloudEvent } from './cloudevent.js';
import { isJsonContentType } from './content-type.js';
import { bytesToData, dataToBytes, hasEmptyNonJsonData, utf8 } from './data.js';
import { buildCloudEvent } from './envelope.js';
import { InvalidCloudEvent, show } from './errors.js';
import { extensionNameProblem } from './names.js';

/**
 * An EventStoreDB/KurrentDB event to append (`jsonEvent`/`binaryEvent` of the clients). There is
 * no official binding: type = CE `type`, data = CE data, metadata = every other attribute.
 */
export interface EsdbRecord {
  id: string;
  type: string;
  contentType: 'application/json' | 'application/octet-stream';
  /** A JSON value (`application/json`), or a Uint8Array (`application/octet-stream`). */
  data: unknown;
  /** The other attributes as JSON; plus `$correlationId`/`$causationId` for the store's projections. */
  metadata: Record<string, unknown>;
}

/** A read EventStoreDB event: data and metadata parsed already, or as JSON bytes. */
export interface EsdbRecordIn {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: unknown;
  readonly contentType?: string;
}

const EMPTY = new Uint8Array(0);
const NOT_IN_METADATA: ReadonlySet<string> = new Set(['id', 'type', 'data', 'data_base64']);

/**
 * The event as an EventStoreDB record. JSON data is stored as `application/json`; text, binary
 * or no data as `application/octet-stream` bytes (no data = empty bytes). The event is validated
 * first; throws InvalidCloudEvent.
 */
export function toEsdbRecord(event: CloudEvent): EsdbRecord {
  return record(validateCloudEvent(event));
}

/**
 * `toEsdbRecord(toCloudEvent(envelope))` in one call, as a store appends: the event is built and
 * validated once, and encoded without being handed out, so nothing is checked twice.
 */
export function envelopeToEsdbRecord(envelope: Envelope): EsdbRecord {
  return record(buildCloudEvent(envelope));
}

/** The record of a valid event. */
function record(event: CloudEvent): EsdbRecord {
  const metadata: Record<string, unknown> = {};
  for (const name in event) {
    const value = event[name];
    if (value !== undefined && !NOT_IN_METADATA.has(name)) metadata[name] = value;
  }
  // The store's own projections ($by_correlation_id) read these names.
  if (typeof event.correlationid === 'string') metadata.$correlationId = event.correlationid;
  if (typeof event.causationid === 'string') metadata.$causationId = event.causationid;
  const { id, type, data } = event;
  if (data !== undefined && isJsonContentType(event.datacontenttype)) {
    return { id, type, contentType: 'application/json', data, metadata };
  }
  if (hasEmptyNonJsonData(event)) {
    throw new InvalidCloudEvent(
      'an EventStoreDB record cannot tell empty data from no data under a non-JSON datacontenttype',
      'data',
      { eventId: id },
    );
  }
  return {
    id,
    type,
    contentType: 'application/octet-stream',
    data: dataToBytes(event) ?? EMPTY,
    metadata,
  };
}

/** The CloudEvent in a read EventStoreDB event written by `toEsdbRecord`. Throws InvalidCloudEvent. */
export function fromEsdbRecord(record: EsdbRecordIn): CloudEvent {
  const { id, type } = record;
  const event: Record<string, unknown> = {};
  const metadata = readMetadata(record.metadata, id);
  for (const name in metadata) {
    // `$`-names are the store's own conventions; null means unset, as in the JSON format.
    if (name.startsWith('$') || metadata[name] === null) continue;
    if (NOT_IN_METADATA.has(name)) {
      throw new InvalidCloudEvent(
        `metadata must not carry "${name}"; it comes from the record itself`,
        name,
        { eventId: id },
      );
    }
    // Parsed JSON may hold an own `__proto__` key; assigning it would set a prototype instead.
    const problem = name === '__proto__' ? extensionNameProblem(name) : undefined;
    if (problem !== undefined) throw new InvalidCloudEvent(problem, name, { eventId: id });
    event[name] = metadata[name];
  }
  event.id = id;
  event.type = type;
  const contentType = typeof event.datacontenttype === 'string' ? event.datacontenttype : undefined;
  const { data } = record;
  const stored =
    record.contentType ??
    (data instanceof Uint8Array ? 'application/octet-stream' : 'application/json');
  if (stored === 'application/json') {
    if (data instanceof Uint8Array) event.data = bytesToData(data, undefined, id);
    else if (data !== undefined) event.data = data;
  } else if (!(data instanceof Uint8Array)) {
    throw new InvalidCloudEvent(
      `a ${stored} record's data must be bytes, got ${show(data)}`,
      'data',
      {
        eventId: id,
      },
    );
  } else if (data.length > 0) {
    event.data = bytesToData(data, contentType, id);
  }
  return validateCloudEvent(event);
}

function readMetadata(metadata: unknown, eventId: string): Record<string, unknown> {
  let value = metadata;
  if (value instanceof Uint8Array) value = utf8(value, 'metadata', undefined, eventId);
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (cause) {
      throw new InvalidCloudEvent(
        `metadata is not valid JSON: ${(cause as Error).message}`,
        undefined,
        {
          eventId,
          cause,
        },
      );
    }
  }
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidCloudEvent(
      `metadata must be a JSON object of attributes, got ${show(value)}`,
      undefined,
      {
        eventId,
      },
    );
  }
  return value as Record<string, unknown>;
}
