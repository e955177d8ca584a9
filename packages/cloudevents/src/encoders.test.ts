import { describe, expect, test } from 'vitest';
import type { Envelope } from '@eventfan/core';
import type { CloudEvent } from './cloudevent.js';
import { toCloudEvent } from './envelope.js';
import { envelopeToEsdbRecord, toEsdbRecord } from './esdb.js';
import { envelope, invalid } from './events.fixture.js';
import { encodeJson } from './json.js';
import { envelopeToKafkaRecord, toKafkaRecord } from './kafka.js';
import { envelopeToNatsRecord, toNatsRecord } from './nats.js';

// Every encoder of an event checks it in full, whoever built it; only the envelope encoders,
// which build the event themselves, check it once.
const encoders: readonly (readonly [string, (event: CloudEvent) => unknown])[] = [
  ['encodeJson', encodeJson],
  ['toKafkaRecord binary', (event) => toKafkaRecord(event)],
  ['toKafkaRecord structured', (event) => toKafkaRecord(event, { mode: 'structured' })],
  ['toNatsRecord binary', (event) => toNatsRecord(event)],
  ['toNatsRecord structured', (event) => toNatsRecord(event, { mode: 'structured' })],
  ['toEsdbRecord', toEsdbRecord],
];

describe.each(encoders)('given the encoder %s', (_, encode) => {
  test('when handed a copy of an event from toCloudEvent with a bad attribute, then it refuses it', () => {
    const handMade = { ...toCloudEvent(envelope), source: 'not a URI' };
    expect(invalid(() => encode(handMade)).attribute).toBe('source');
  });

  test('when handed a hand-made event with a control character, then it refuses it', () => {
    const handMade: CloudEvent = {
      specversion: '1.0',
      id: 'evt-1',
      source: '/s',
      type: 'a\u0007b',
    };
    expect(invalid(() => encode(handMade)).attribute).toBe('type');
  });

  test('when an event from toCloudEvent has its data mutated into non-JSON, then it refuses it', () => {
    const data = { damage: 15 as unknown };
    const event = toCloudEvent({ ...envelope, data });
    data.damage = 15n;
    expect(invalid(() => encode(event)).attribute).toBe('data');
  });
});

describe('given an event from toCloudEvent', () => {
  test('when an attribute is assigned afterwards, then it throws and the event is unchanged', () => {
    const event = toCloudEvent(envelope);
    expect(Object.isFrozen(event)).toBe(true);
    expect(() => {
      (event as Record<string, unknown>).source = 'not a URI';
    }).toThrow(TypeError);
    expect(event.source).toBe(envelope.source);
  });
});

describe.each(encoders)('given events from toCloudEvent and the encoder %s', (_, encode) => {
  test('when an older event is encoded after a newer one was built, then it encodes as if fresh', () => {
    const older = toCloudEvent(envelope);
    const alone = encode(older);
    const first = toCloudEvent(envelope);
    toCloudEvent({ ...envelope, id: 'evt-2' });
    expect(encode(first)).toEqual(alone);
  });

  test('when the same event is encoded twice, then both encodings are equal', () => {
    const event = toCloudEvent(envelope);
    expect(encode(event)).toEqual(encode(event));
  });

  test('when an older event has its data mutated into non-JSON, then it refuses it', () => {
    const data = { damage: 15 as unknown };
    const older = toCloudEvent({ ...envelope, data });
    toCloudEvent(envelope);
    data.damage = 15n;
    expect(invalid(() => encode(older)).attribute).toBe('data');
  });
});

const envelopeEncoders: readonly (readonly [
  string,
  (input: Envelope) => unknown,
  (event: CloudEvent) => unknown,
])[] = [
  [
    'envelopeToKafkaRecord binary',
    (input) => envelopeToKafkaRecord(input),
    (event) => toKafkaRecord(event),
  ],
  [
    'envelopeToKafkaRecord structured',
    (input) => envelopeToKafkaRecord(input, { mode: 'structured' }),
    (event) => toKafkaRecord(event, { mode: 'structured' }),
  ],
  [
    'envelopeToNatsRecord binary',
    (input) => envelopeToNatsRecord(input),
    (event) => toNatsRecord(event),
  ],
  [
    'envelopeToNatsRecord structured',
    (input) => envelopeToNatsRecord(input, { mode: 'structured' }),
    (event) => toNatsRecord(event, { mode: 'structured' }),
  ],
  ['envelopeToEsdbRecord', envelopeToEsdbRecord, toEsdbRecord],
];

describe.each(envelopeEncoders)('given the envelope encoder %s', (_, fromEnvelope, fromEvent) => {
  test('when handed an envelope, then it encodes what the event encoder makes of toCloudEvent', () => {
    expect(fromEnvelope(envelope)).toEqual(fromEvent(toCloudEvent(envelope)));
  });

  test('when the data is not JSON, then it refuses it', () => {
    expect(invalid(() => fromEnvelope({ ...envelope, data: { damage: 15n } })).attribute).toBe(
      'data',
    );
  });

  test('when a metadata key cannot be an extension, then it refuses it naming the key', () => {
    const bad = { ...envelope, metadata: { ...envelope.metadata, 'Not-An-Extension': 'x' } };
    expect(invalid(() => fromEnvelope(bad)).attribute).toBe('Not-An-Extension');
  });

  test('when a string holds a control character, then it refuses it', () => {
    expect(invalid(() => fromEnvelope({ ...envelope, type: 'a\u0007b' })).attribute).toBe('type');
  });
});
