import type { Envelope } from '@eventfan/core';
import { validateCloudEvent, type CloudEvent } from './cloudevent.js';
import { isStructuredContentType } from './content-type.js';
import { dataToBytes, hasEmptyNonJsonData } from './data.js';
import { buildCloudEvent } from './envelope.js';
import { InvalidCloudEvent } from './errors.js';
import {
  fromBinary,
  CONTENT_TYPE,
  readHeaders,
  toHeaders,
  type BindingOptions,
  HeaderDialect,
  type HeaderSource,
} from './headers.js';
import { assertJsonFormat, decodeJson, encodeJson, JSON_FORMAT, serializeJson } from './json.js';

/** A NATS message to publish: payload and headers (copy them into `headers()` of the client). */
export interface NatsRecord {
  data: Uint8Array;
  headers: Record<string, string>;
}

/**
 * A received NATS message. `headers` may be the client's `MsgHdrs` as is (nats 2.x and
 * @nats-io/nats-core 3.x iterate as `[name, values[]]`), a `Map`, or a plain record.
 */
export interface NatsMessage {
  readonly data: Uint8Array;
  readonly headers?: HeaderSource | undefined;
}

const NATS = new HeaderDialect({
  binding: 'NATS',
  prefix: 'ce-',
  percentEncoded: true,
  contentTypeAttributeHeader: true,
});

const EMPTY = new Uint8Array(0);

/**
 * The event as a NATS message per the NATS protocol binding. Binary mode (default): `ce-`
 * headers (percent-encoded), datacontenttype as `ce-datacontenttype` and `content-type`, payload =
 * data. Structured: payload = JSON format, `content-type: application/cloudevents+json`. The
 * event is validated first; throws InvalidCloudEvent.
 */
export function toNatsRecord(event: CloudEvent, options?: BindingOptions): NatsRecord {
  if (options?.mode === 'structured') return structured(encodeJson(event));
  return binary(validateCloudEvent(event));
}

/**
 * `toNatsRecord(toCloudEvent(envelope), options)` in one call, as dispatchers encode: the event
 * is built and validated once, and encoded without being handed out, so nothing is checked twice.
 */
export function envelopeToNatsRecord(envelope: Envelope, options?: BindingOptions): NatsRecord {
  const event = buildCloudEvent(envelope);
  return options?.mode === 'structured' ? structured(serializeJson(event)) : binary(event);
}

function structured(json: string): NatsRecord {
  return { data: Buffer.from(json), headers: { [CONTENT_TYPE]: JSON_FORMAT } };
}

/** The binary-mode message of a valid event. */
function binary(event: CloudEvent): NatsRecord {
  if (hasEmptyNonJsonData(event)) {
    throw new InvalidCloudEvent(
      'NATS binary mode cannot tell empty data from no data under a non-JSON datacontenttype; use structured mode',
      'data',
      { eventId: event.id },
    );
  }
  return { data: dataToBytes(event) ?? EMPTY, headers: toHeaders(event, NATS) };
}

/**
 * The CloudEvent in a received NATS message, in either mode (told apart by `content-type`). An
 * empty payload in binary mode means the event has no data. Throws InvalidCloudEvent.
 */
export function fromNatsRecord(message: NatsMessage): CloudEvent {
  const read = readHeaders(message.headers, NATS);
  if (isStructuredContentType(read.contentType)) {
    assertJsonFormat(read.contentType as string);
    return decodeJson(message.data);
  }
  if (!read.any) {
    // No headers at all: a server before NATS 2.2, where every CloudEvent is structured.
    if (read.contentType === undefined) return decodeJson(message.data);
    throw new InvalidCloudEvent(
      `the NATS message carries no CloudEvent: no "ce-" headers and no "${CONTENT_TYPE}: ${JSON_FORMAT}"`,
    );
  }
  return fromBinary(read, NATS, message.data.length > 0 ? message.data : undefined);
}
