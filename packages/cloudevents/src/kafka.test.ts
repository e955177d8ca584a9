import { describe, expect, test } from 'vitest';
import type { CloudEvent } from './cloudevent.js';
import { InvalidCloudEvent } from './errors.js';
import { asDelivered, fromEnvelope, invalid } from './events.fixture.js';
import { encodeJson } from './json.js';
import { fromKafkaRecord, toKafkaRecord } from './kafka.js';

const minimal: CloudEvent = { specversion: '1.0', id: 'evt-1', source: '/s', type: 't' };

describe('given an event, when produced in binary mode', () => {
  test('then attributes are ce_ headers, datacontenttype is content-type and data the value', () => {
    const record = toKafkaRecord(fromEnvelope);
    expect(record.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: fromEnvelope.id,
      ce_source: fromEnvelope.source,
      ce_type: fromEnvelope.type,
      ce_subject: 'combat-entity-7',
      ce_time: '2024-05-01T12:34:56.789Z',
      'content-type': 'application/json',
      ce_sequence: '00000000000000000012',
      ce_partitionkey: 'combat-entity-7',
      ce_eventversion: '1.0',
      ce_aggregate: 'combat',
      ce_correlationid: 'corr-1',
      ce_causationid: 'cause-1',
      ce_traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      ce_tracestate: 'congo=t61rcWkgMzE',
      ce_tenant: 'acme',
    });
    expect(JSON.parse(record.value?.toString() ?? '')).toEqual(fromEnvelope.data);
    expect(record.key).toBe('combat-entity-7');
  });

  test('then an event without data has a null value, and decodes without data', () => {
    const record = toKafkaRecord(minimal);
    expect(record.value).toBeNull();
    expect(fromKafkaRecord(asDelivered(record))).toEqual(minimal);
  });

  test('then boolean and integer extensions arrive as their canonical strings', () => {
    const record = toKafkaRecord({ ...minimal, urgent: true, priority: -3 });
    expect(record.headers).toMatchObject({ ce_urgent: 'true', ce_priority: '-3' });
    expect(fromKafkaRecord(asDelivered(record))).toMatchObject({ urgent: 'true', priority: '-3' });
  });

  test('then a datacontenttype that announces a CloudEvent is refused (it would read as structured)', () => {
    const error = invalid(() =>
      toKafkaRecord({ ...minimal, datacontenttype: 'application/cloudevents+json', data: {} }),
    );
    expect(error.attribute).toBe('datacontenttype');
    expect(error.reason).toBe(
      'Kafka binary mode cannot carry datacontenttype "application/cloudevents+json": receivers would take the message for a structured-mode event; use structured mode',
    );
  });

  test('then an invalid event is refused before any record is made', () => {
    const error = invalid(() => toKafkaRecord({ ...minimal, time: 'later' }));
    expect(error.attribute).toBe('time');
  });
});

describe('given an event, when produced in structured mode', () => {
  test('then the value is the JSON format and content-type says so', () => {
    const record = toKafkaRecord(fromEnvelope, { mode: 'structured' });
    expect(record.headers).toEqual({
      'content-type': 'application/cloudevents+json; charset=UTF-8',
    });
    expect(record.value?.toString()).toBe(encodeJson(fromEnvelope));
  });

  test('then an invalid event is refused', () => {
    const error = invalid(() => toKafkaRecord({ ...minimal, Bad: 1 }, { mode: 'structured' }));
    expect(error.attribute).toBe('Bad');
  });
});

describe('given a consumed Kafka message', () => {
  const binary = toKafkaRecord(fromEnvelope);

  test('when header names are upper-case, then they still match', () => {
    const headers = Object.fromEntries(
      Object.entries(binary.headers).map(([name, value]) => [name.toUpperCase(), value]),
    );
    expect(fromKafkaRecord({ value: binary.value, headers })).toEqual(fromEnvelope);
  });

  test('when a header arrives as a one-element array, then its value is used', () => {
    const headers = { ...binary.headers, ce_tenant: [Buffer.from('acme')] };
    expect(fromKafkaRecord({ value: binary.value, headers }).tenant).toBe('acme');
  });

  test('when the value is a string, then it is read as the UTF-8 body', () => {
    const value = binary.value?.toString() ?? null;
    expect(fromKafkaRecord({ value, headers: binary.headers })).toEqual(fromEnvelope);
  });

  test('when ce_datacontenttype is sent besides content-type (as the SDK does), then they must agree', () => {
    const headers = { ...binary.headers, ce_datacontenttype: 'application/json' };
    expect(fromKafkaRecord({ value: binary.value, headers })).toEqual(fromEnvelope);
    const error = invalid(() =>
      fromKafkaRecord({
        value: binary.value,
        headers: { ...headers, ce_datacontenttype: 'text/plain' },
      }),
    );
    expect(error.attribute).toBe('datacontenttype');
    expect(error.reason).toBe(
      'headers "content-type" ("application/json") and "ce_datacontenttype" ("text/plain") disagree',
    );
  });

  test.each([
    [
      'no CloudEvent headers at all',
      { value: Buffer.from('{}'), headers: { 'content-type': 'application/json' } },
      undefined,
      'the Kafka message carries no CloudEvent: no "ce_" headers and no "content-type: application/cloudevents+json"',
    ],
    [
      'a structured message without a value',
      { value: null, headers: { 'content-type': 'application/cloudevents+json' } },
      undefined,
      'a structured-mode Kafka message has no value',
    ],
    [
      'a batch content type',
      {
        value: Buffer.from('[]'),
        headers: { 'content-type': 'application/cloudevents-batch+json' },
      },
      undefined,
      'content-type "application/cloudevents-batch+json" is not the JSON event format (application/cloudevents+json); read batches with decodeBatch',
    ],
    [
      'an unknown structured format',
      { value: Buffer.from('x'), headers: { 'content-type': 'application/cloudevents+avro' } },
      undefined,
      'content-type "application/cloudevents+avro" is not the JSON event format (application/cloudevents+json)',
    ],
    [
      'a ce_data header',
      { value: null, headers: { ...binary.headers, ce_data: '{}' } },
      'data',
      'header "ce_data": data travels in the message body, "data" is not a header attribute',
    ],
    [
      'header bytes that are not UTF-8',
      { value: null, headers: { ...binary.headers, ce_tenant: Buffer.from([0xc3, 0x28]) } },
      'tenant',
      'header "ce_tenant" is not valid UTF-8',
    ],
    [
      'a header given two different values',
      { value: null, headers: { ...binary.headers, ce_tenant: ['a', 'b'] } },
      'tenant',
      'header "ce_tenant" must carry one value, got 2: "a", "b"',
    ],
    [
      'a header given twice in different cases',
      { value: null, headers: { ...binary.headers, CE_TENANT: 'other' } },
      'tenant',
      'header "CE_TENANT" appears more than once (names are case-insensitive)',
    ],
    [
      'a value that is not JSON under a JSON content type',
      { value: Buffer.from('{oops'), headers: binary.headers },
      'data',
      /^data is not valid JSON although datacontenttype "application\/json" declares JSON: /,
    ],
    [
      'a missing ce_specversion',
      { value: null, headers: { ...binary.headers, ce_specversion: undefined } },
      'specversion',
      'required attribute "specversion" is missing',
    ],
    [
      'an invalid extension name in a header',
      { value: null, headers: { ...binary.headers, 'ce_trace-id': 'x' } },
      'trace-id',
      'extension name "trace-id" must be 1 to 20 lowercase ASCII letters or digits ([a-z0-9]{1,20})',
    ],
  ] as const)('when it has %s, then it is refused', (_, message, attribute, reason) => {
    const error = invalid(() => fromKafkaRecord(message));
    expect(error).toBeInstanceOf(InvalidCloudEvent);
    expect(error.attribute).toBe(attribute);
    if (typeof reason === 'string') expect(error.reason).toBe(reason);
    else expect(error.reason).toMatch(reason);
  });
});
