import { assertValid, type CloudEvent } from './cloudevent.js';
import { CLOUDEVENTS_JSON_UTF8, isStructuredContentType } from './content-type.js';
import { dataToBytes } from './data.js';
import { InvalidCloudEvent } from './errors.js';
import {
  fromBinary,
  CONTENT_TYPE,
  readHeaders,
  toHeaders,
  type BindingMode,
  HeaderDialect,
  type HeaderValue,
} from './headers.js';
import { assertJsonFormat, decodeJson, encodeJson, JSON_FORMAT } from './json.js';

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

const KAFKA = new HeaderDialect('Kafka', 'ce_', false, false);

/**
 * The event as a Kafka record per the Kafka protocol binding. Binary mode (default): `ce_`
 * headers, `content-type` = datacontenttype, value = data. Structured: value = JSON format with
 * `content-type: application/cloudevents+json; charset=UTF-8`. Key = `partitionkey` either way.
 */
export function toKafkaRecord(
  event: CloudEvent,
  options?: { readonly mode?: BindingMode },
): KafkaRecord {
  const key = typeof event.partitionkey === 'string' ? event.partitionkey : null;
  if (options?.mode === 'structured') {
    return {
      key,
      value: Buffer.from(encodeJson(event)),
      headers: { [CONTENT_TYPE]: CLOUDEVENTS_JSON_UTF8 },
    };
  }
  assertValid(event, true);
  return { key, value: dataToBytes(event) ?? null, headers: toHeaders(event, KAFKA) };
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
