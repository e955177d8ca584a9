/**
 * The CloudEvents JavaScript SDK as an independent reader and writer: what we encode it reads to
 * the same event, and what it emits we decode to the same event.
 */
import { CloudEvent as SdkEvent, HTTP, Kafka, type KafkaMessage } from 'cloudevents';
import { describe, expect, test } from 'vitest';
import type { CloudEvent } from './cloudevent.js';
import { allBytes, asDelivered, asMsgHdrs, fromEnvelope } from './events.fixture.js';
import { decodeJson, encodeJson } from './json.js';
import { fromKafkaRecord, toKafkaRecord } from './kafka.js';
import { fromNatsRecord, toNatsRecord } from './nats.js';

/**
 * An SDK event as plain attributes: unset (undefined/null) ones dropped, binary data as a
 * Uint8Array (the SDK keeps it twice, as `data` and `data_base64`).
 */
function plain(event: SdkEvent<unknown>): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(event)) {
    if (value !== undefined && value !== null && name !== 'data_base64') attributes[name] = value;
  }
  if (typeof event.data_base64 === 'string') {
    attributes.data = Uint8Array.from(Buffer.from(event.data_base64, 'base64'));
  }
  return attributes;
}

// The SDK fills in `time` and reads it back as `Date#toISOString()`: events here use that form.
const jsonEvent: CloudEvent = fromEnvelope;
const binaryEvent: CloudEvent = {
  specversion: '1.0',
  id: 'bin-1',
  source: '/sensors/tn-1234567',
  type: 'com.example.reading',
  subject: 'sensor-9',
  time: '2024-05-01T12:34:56.789Z',
  datacontenttype: 'application/octet-stream',
  partitionkey: 'sensor-9',
  data: allBytes,
};
const unicodeEvent: CloudEvent = {
  ...jsonEvent,
  id: 'uni-1',
  subject: 'Zoë-事件',
  data: { name: 'Zoë', kanji: '事件', emoji: '😀' },
};

describe('given events we encode, when the SDK reads them', () => {
  test.each([
    ['JSON data', jsonEvent],
    ['binary data', binaryEvent],
    ['unicode', unicodeEvent],
  ])('then its JSON parser (strict) gets the same event — %s', (_, event) => {
    const read = new SdkEvent(JSON.parse(encodeJson(event)) as object);
    expect(plain(read)).toEqual(event);
  });

  test.each([
    ['binary', jsonEvent],
    ['structured', jsonEvent],
    ['binary', binaryEvent],
    ['structured', binaryEvent],
    ['binary', unicodeEvent],
    ['structured', unicodeEvent],
  ] as const)('then Kafka.toEvent reads a %s-mode record to the same event (%#)', (mode, event) => {
    const record = toKafkaRecord(event, { mode });
    // Every event here has a partitionkey, so the key is a string (the SDK's type wants one).
    const message: KafkaMessage<Buffer | null> = {
      key: record.key as string,
      value: record.value,
      headers: record.headers,
      body: record.value,
    };
    const read = Kafka.toEvent(message) as SdkEvent<unknown>;
    expect(plain(read)).toEqual(event);
  });

  test('then HTTP.toEvent reads our NATS structured message to the same event', () => {
    const record = toNatsRecord(unicodeEvent, { mode: 'structured' });
    const read = HTTP.toEvent({
      headers: record.headers,
      body: Buffer.from(record.data).toString(),
    }) as SdkEvent<unknown>;
    expect(plain(read)).toEqual(unicodeEvent);
  });

  // The SDK does not percent-decode (a later spec revision added that), so ASCII-only values.
  test.each([
    ['JSON data', jsonEvent],
    ['binary data', binaryEvent],
  ])('then HTTP.toEvent reads our NATS binary message (same ce- headers) — %s', (_, event) => {
    const record = toNatsRecord(event);
    const read = HTTP.toEvent({
      headers: record.headers,
      body:
        event.data instanceof Uint8Array
          ? Buffer.from(record.data)
          : Buffer.from(record.data).toString(),
    }) as SdkEvent<unknown>;
    expect(plain(read)).toEqual(event);
  });
});

/** The wire between the SDK and a consumer: kafkajs carries only strings and Buffers. */
function overKafka(message: {
  key?: unknown;
  value?: unknown;
  headers: Record<string, unknown>;
}): ReturnType<typeof asDelivered> {
  const { value } = message;
  return asDelivered({
    key: typeof message.key === 'string' ? message.key : null,
    // The SDK's binary mode leaves JSON data as an object; an application stringifies it to send.
    value:
      value === undefined || value === null
        ? null
        : Buffer.isBuffer(value) || typeof value === 'string'
          ? value
          : value instanceof Uint8Array
            ? Buffer.from(value)
            : JSON.stringify(value),
    headers: message.headers,
  });
}

describe('given events the SDK emits, when we decode them', () => {
  const sdkJson = new SdkEvent({ ...jsonEvent });
  const sdkBinary = new SdkEvent({ ...binaryEvent, data: Buffer.from(allBytes) });
  const sdkUnicode = new SdkEvent({ ...unicodeEvent });
  const sdkMinimal = new SdkEvent({
    id: 'min-1',
    source: 'urn:example:min',
    type: 'com.example.min',
  });

  test.each([
    ['JSON data', sdkJson],
    ['binary data', sdkBinary],
    ['unicode', sdkUnicode],
    ['only the attributes it fills in', sdkMinimal],
  ])('then its JSON format (toString) decodes to the same event — %s', (_, event) => {
    expect(decodeJson(event.toString())).toEqual(plain(event));
  });

  test.each([
    ['JSON data', sdkJson],
    ['binary data', sdkBinary],
    ['unicode', sdkUnicode],
  ])('then its Kafka.binary message decodes to the same event — %s', (_, event) => {
    expect(fromKafkaRecord(overKafka(Kafka.binary(event)))).toEqual(plain(event));
  });

  test.each([
    ['JSON data', sdkJson],
    ['binary data', sdkBinary],
    ['unicode', sdkUnicode],
  ])('then its Kafka.structured message decodes to the same event — %s', (_, event) => {
    expect(fromKafkaRecord(overKafka(Kafka.structured(event)))).toEqual(plain(event));
  });

  test.each([
    ['JSON data', sdkJson],
    ['binary data', sdkBinary],
  ])('then its HTTP.binary message decodes as NATS binary to the same event — %s', (_, event) => {
    const message = HTTP.binary(event);
    const body = message.body;
    expect(
      fromNatsRecord({
        data: typeof body === 'string' ? Buffer.from(body) : (body as Uint8Array),
        headers: asMsgHdrs(message.headers as Record<string, string>),
      }),
    ).toEqual(plain(event));
  });

  test.each([
    ['JSON data', sdkJson],
    ['binary data', sdkBinary],
    ['unicode', sdkUnicode],
  ])(
    'then its HTTP.structured message decodes as NATS structured to the same event — %s',
    (_, event) => {
      const message = HTTP.structured(event);
      expect(
        fromNatsRecord({
          data: Buffer.from(message.body as string),
          headers: asMsgHdrs(message.headers as Record<string, string>),
        }),
      ).toEqual(plain(event));
    },
  );
});
