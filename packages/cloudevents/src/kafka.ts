import type { Envelope } from '@eventfan/core';
import { validateCloudEvent, type CloudEvent } from './cloudevent.js';
import { CLOUDEVENTS_JSON_UTF8, isStructuredContentType } from './content-type.js';
import { dataToBytes } from './data.js';
import { buildCloudEvent } from './envelope.js';
import { InvalidCloudEvent } from './errors.js';
import {
  fromBinary,
  CONTENT_TYPE,
  readHeaders,
  toHeaders,
  type BindingOptions,
  HeaderDialect,
  type HeaderValue,
} from './headers.js';
import { assertJsonFormat, decodeJson, encodeJson, JSON_FORMAT, serializeJson } from './json.js';

/** A Kafka record to produce (the shape kafkajs's `Message` accepts). */
export interface KafkaRecord {
  /** The `partitionkey` extension (so one stream lands on one partition), or null. */
  key: string | null;
  /** The data (binary mode; null when the event has none) or the JSON-format event (structured). */
  value: Buffer | null;
  headers: Record<string, string>;
}

/** A consumed Kafka message: kafkajs delivers headers (and key and value) as Buffers. */
export interface KafkaMessage {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, HeaderValue>>;
}

const KAFKA = new HeaderDialect({
  binding: 'Kafka',
  prefix: 'ce_',
  percentEncoded: false,
  contentTypeAttributeHeader: false,
});

/**
 * The event as a Kafka record per the Kafka protocol binding. Binary mode (default): `ce_`
 * headers, `content-type` = datacontenttype, value = data. Structured: value = JSON format with
 * `content-type: application/cloudevents+json; charset=UTF-8`. Key = `partitionkey` either way.
 * The event is validated first; throws InvalidCloudEvent.
 */
export function toKafkaRecord(event: CloudEvent, options?: BindingOptions): KafkaRecord {
  if (options?.mode === 'structured') return structured(event, encodeJson(event));
  return binary(validateCloudEvent(event));
}

/**
 * `toKafkaRecord(toCloudEvent(envelope), options)` in one call, as dispatchers encode: the event
 * is built and validated once, and encoded without being handed out, so nothing is checked twice.
 */
export function envelopeToKafkaRecord(envelope: Envelope, options?: BindingOptions): KafkaRecord {
  const event = buildCloudEvent(envelope);
  return options?.mode === 'structured' ? structured(event, serializeJson(event)) : binary(event);
}

function structured(event: CloudEvent, json: string): KafkaRecord {
  return {
    key: keyOf(event),
    value: Buffer.from(json),
    headers: { [CONTENT_TYPE]: CLOUDEVENTS_JSON_UTF8 },
  };
}

/** The binary-mode record of a valid event. */
function binary(event: CloudEvent): KafkaRecord {
  return { key: keyOf(event), value: dataToBytes(event) ?? null, headers: toHeaders(event, KAFKA) };
}

function keyOf(event: CloudEvent): string | null {
  return typeof event.partitionkey === 'string' ? event.partitionkey : null;
}

/**
 * The CloudEvent in a consumed Kafka message, in either mode (told apart by `content-type`).
 * Header values may be strings or Buffers. The key is not read: `partitionkey` travels with the
 * event itself. Throws InvalidCloudEvent.
 */
export function fromKafkaRecord(message: KafkaMessage): CloudEvent {
  const read = readHeaders(message.headers, KAFKA);
  const { value } = message;
  if (isStructuredContentType(read.contentType)) {
    assertJsonFormat(read.contentType as string);
    if (value === null) {
      throw new InvalidCloudEvent('a structured-mode Kafka message has no value');
    }
    return decodeJson(value);
  }
  if (!read.any) {
    throw new InvalidCloudEvent(
      `the Kafka message carries no CloudEvent: no "ce_" headers and no "${CONTENT_TYPE}: ${JSON_FORMAT}"`,
    );
  }
  const payload =
    value === null ? undefined : typeof value === 'string' ? Buffer.from(value) : value;
  return fromBinary(read, KAFKA, payload);
}
