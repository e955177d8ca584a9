import { describe, expect, test } from 'vitest';
import type { CloudEvent } from './cloudevent.js';
import { toCloudEvent } from './envelope.js';
import { toEsdbRecord } from './esdb.js';
import { envelope, invalid } from './events.fixture.js';
import { encodeJson } from './json.js';
import { toKafkaRecord } from './kafka.js';
import { toNatsRecord } from './nats.js';

// The event toCloudEvent built last skips the attribute checks in the next encoder; nothing else may.
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
