import { describe, expect, test } from 'vitest';
import type { CloudEvent } from './cloudevent.js';
import { InvalidCloudEvent } from './errors.js';
import { asMsgHdrs, fromEnvelope, invalid } from './events.fixture.js';
import { encodeJson } from './json.js';
import { fromNatsRecord, toNatsRecord } from './nats.js';

const minimal: CloudEvent = { specversion: '1.0', id: 'evt-1', source: '/s', type: 't' };

describe('given an event, when published in binary mode', () => {
  test('then attributes are ce- headers and datacontenttype is both ce-datacontenttype and content-type', () => {
    const record = toNatsRecord(fromEnvelope);
    expect(record.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': fromEnvelope.id,
      'ce-subject': 'combat-entity-7',
      'ce-sequence': '00000000000000000012',
      'content-type': 'application/json',
      'ce-datacontenttype': 'application/json',
      'ce-traceparent': '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(Object.keys(record.headers).filter((name) => !name.startsWith('ce-'))).toEqual([
      'content-type',
    ]);
    expect(JSON.parse(Buffer.from(record.data).toString())).toEqual(fromEnvelope.data);
  });

  test('then values are percent-encoded as the binding requires (space, quote, percent, non-ASCII)', () => {
    const record = toNatsRecord({ ...minimal, subject: 'Euro € 😀 "q" 100%' });
    expect(record.headers['ce-subject']).toBe('Euro%20%E2%82%AC%20%F0%9F%98%80%20%22q%22%20100%25');
  });

  test('then an event without data has an empty payload, and decodes without data', () => {
    const record = toNatsRecord(minimal);
    expect(record.data).toHaveLength(0);
    expect(fromNatsRecord(record)).toEqual(minimal);
  });

  test('then empty non-JSON data is refused: it would read back as no data', () => {
    const error = invalid(() =>
      toNatsRecord({ ...minimal, datacontenttype: 'text/plain', data: '' }),
    );
    expect(error.attribute).toBe('data');
    expect(error.reason).toBe(
      'NATS binary mode cannot tell empty data from no data under a non-JSON datacontenttype; use structured mode',
    );
  });

  test('then empty non-JSON data travels in structured mode', () => {
    const event = { ...minimal, datacontenttype: 'text/plain', data: '' };
    expect(fromNatsRecord(toNatsRecord(event, { mode: 'structured' }))).toEqual(event);
  });
});

describe('given an event, when published in structured mode', () => {
  test('then the payload is the JSON format and content-type says so', () => {
    const record = toNatsRecord(fromEnvelope, { mode: 'structured' });
    expect(record.headers).toEqual({ 'content-type': 'application/cloudevents+json' });
    expect(Buffer.from(record.data).toString()).toBe(encodeJson(fromEnvelope));
  });
});

describe('given a received NATS message', () => {
  const record = toNatsRecord(fromEnvelope);

  test.each([
    ['MsgHdrs-style entries of value arrays', asMsgHdrs(record.headers)],
    ['a Map of strings', new Map(Object.entries(record.headers))],
    ['a plain record', record.headers],
  ])('when headers come as %s, then the event is read', (_, headers) => {
    expect(fromNatsRecord({ data: record.data, headers })).toEqual(fromEnvelope);
  });

  test('when there are no headers (a server before NATS 2.2), then the payload is the JSON format', () => {
    expect(fromNatsRecord({ data: Buffer.from(encodeJson(fromEnvelope)) })).toEqual(fromEnvelope);
  });

  test('when values use lower-case hex, unneeded escapes or RFC 7230 quotes, then they decode', () => {
    const headers = {
      ...record.headers,
      'ce-subject': '"Zo%c3%ab \\"x\\""',
      'ce-tenant': '%61cme',
    };
    expect(fromNatsRecord({ data: record.data, headers })).toMatchObject({
      subject: 'Zoë "x"',
      tenant: 'acme',
    });
  });

  test.each([
    ['a truncated escape', '%E2%82', 'subject'],
    ['an overlong UTF-8 form', '%C0%A0', 'subject'],
    ['a percent sign without hex', '100%', 'subject'],
  ])('when a value has %s, then it is refused', (_, value, attribute) => {
    const headers = { ...record.headers, 'ce-subject': value };
    const error = invalid(() => fromNatsRecord({ data: record.data, headers }));
    expect(error).toBeInstanceOf(InvalidCloudEvent);
    expect(error.attribute).toBe(attribute);
    expect(error.reason).toBe(
      `header "ce-subject" is not validly percent-encoded UTF-8: ${JSON.stringify(value)}`,
    );
  });

  test('when headers carry no CloudEvent, then it is refused saying what is missing', () => {
    const error = invalid(() =>
      fromNatsRecord({ data: Buffer.from('hi'), headers: { 'content-type': 'text/plain' } }),
    );
    expect(error.attribute).toBeUndefined();
    expect(error.reason).toBe(
      'the NATS message carries no CloudEvent: no "ce-" headers and no "content-type: application/cloudevents+json"',
    );
  });

  test('when the structured payload is not JSON, then it is refused', () => {
    const error = invalid(() =>
      fromNatsRecord({
        data: Buffer.from('nope'),
        headers: { 'content-type': 'application/cloudevents+json' },
      }),
    );
    expect(error.reason).toMatch(/^the event is not valid JSON: /);
  });

  test('when a binary payload is not UTF-8 text under text/plain, then it is refused', () => {
    const headers = {
      ...toNatsRecord({ ...minimal, datacontenttype: 'text/plain', data: 'x' }).headers,
    };
    const error = invalid(() => fromNatsRecord({ data: new Uint8Array([0xff]), headers }));
    expect(error.attribute).toBe('data');
    expect(error.reason).toBe('data is not valid UTF-8');
  });
});

describe('given a header that names "__proto__"', () => {
  test('when read, then it is refused rather than setting a prototype', () => {
    const { data, headers } = toNatsRecord(fromEnvelope);
    const error = invalid(() =>
      fromNatsRecord({
        data,
        headers: new Map([...Object.entries(headers), ['ce-__proto__', 'x']]),
      }),
    );
    expect(error.attribute).toBe('__proto__');
    expect(error.reason).toBe('header "ce-__proto__" names no attribute');
  });
});
