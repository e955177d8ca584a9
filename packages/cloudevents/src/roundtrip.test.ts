import { describe, expect, test } from 'vitest';
import type { CloudEvent } from './cloudevent.js';
import { fromEsdbRecord, toEsdbRecord } from './esdb.js';
import { asDelivered, asMsgHdrs, asStored, roundTripCases } from './events.fixture.js';
import { decodeBatch, decodeJson, encodeBatch, encodeJson } from './json.js';
import { fromKafkaRecord, toKafkaRecord } from './kafka.js';
import { fromNatsRecord, toNatsRecord } from './nats.js';

const codecs: readonly (readonly [string, (event: CloudEvent) => CloudEvent])[] = [
  ['the JSON format', (event) => decodeJson(encodeJson(event))],
  ['the JSON format as UTF-8 bytes', (event) => decodeJson(Buffer.from(encodeJson(event)))],
  ['Kafka binary mode', (event) => fromKafkaRecord(asDelivered(toKafkaRecord(event)))],
  [
    'Kafka structured mode',
    (event) => fromKafkaRecord(asDelivered(toKafkaRecord(event, { mode: 'structured' }))),
  ],
  [
    'NATS binary mode',
    (event) => {
      const record = toNatsRecord(event);
      return fromNatsRecord({ data: record.data, headers: asMsgHdrs(record.headers) });
    },
  ],
  [
    'NATS structured mode',
    (event) => {
      const record = toNatsRecord(event, { mode: 'structured' });
      return fromNatsRecord({ data: record.data, headers: asMsgHdrs(record.headers) });
    },
  ],
  ['the EventStoreDB mapping', (event) => fromEsdbRecord(asStored(toEsdbRecord(event)))],
];

describe.each(codecs)('given an event sent through %s', (_, roundTrip) => {
  test.each(roundTripCases)('when it carries %s, then it comes back equal', (_name, event) => {
    expect(roundTrip(event)).toEqual(event);
  });
});

describe('given every round-trip event in one JSON batch', () => {
  test('when the batch is decoded, then it holds the same events in order', () => {
    const events = roundTripCases.map(([, event]) => event);
    expect(decodeBatch(encodeBatch(events))).toEqual(events);
  });

  test('when the batch is empty, then it encodes as [] and decodes to no events', () => {
    expect(encodeBatch([])).toBe('[]');
    expect(decodeBatch('[]')).toEqual([]);
  });
});

describe('given the Kafka record of an event with a partitionkey', () => {
  test.each(['binary', 'structured'] as const)(
    'when produced in %s mode, then the record key is the partitionkey',
    (mode) => {
      const [, event] = roundTripCases[1] ?? [];
      expect(toKafkaRecord(event as CloudEvent, { mode }).key).toBe('combat-entity-7');
    },
  );

  test('when the event has no partitionkey, then the key is null', () => {
    const event: CloudEvent = { specversion: '1.0', id: 'x', source: 's', type: 't' };
    expect(toKafkaRecord(event).key).toBeNull();
  });
});
