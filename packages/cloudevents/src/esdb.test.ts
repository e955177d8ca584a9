import { describe, expect, test } from 'vitest';
import type { CloudEvent } from './cloudevent.js';
import { fromEsdbRecord, toEsdbRecord } from './esdb.js';
import { InvalidCloudEvent } from './errors.js';
import { allBytes, fromEnvelope, invalid } from './events.fixture.js';

const minimal: CloudEvent = { specversion: '1.0', id: 'evt-1', source: '/s', type: 't' };

describe('given an event with JSON data, when mapped to an EventStoreDB record', () => {
  const record = toEsdbRecord(fromEnvelope);

  test('then id, type and data are the record own, and metadata holds every other attribute', () => {
    const { id, type, data, ...otherAttributes } = fromEnvelope;
    expect(record).toEqual({
      id,
      type,
      contentType: 'application/json',
      data,
      metadata: { ...otherAttributes, $correlationId: 'corr-1', $causationId: 'cause-1' },
    });
  });

  test('then metadata read back as JSON bytes (the client gives bytes it cannot parse) also works', () => {
    const metadata = Buffer.from(JSON.stringify(record.metadata));
    expect(fromEsdbRecord({ ...record, metadata })).toEqual(fromEnvelope);
  });

  test('then JSON data read back as bytes is parsed', () => {
    const data = Buffer.from(JSON.stringify(record.data));
    expect(fromEsdbRecord({ ...record, data })).toEqual(fromEnvelope);
  });
});

describe('given an event with other data, when mapped to an EventStoreDB record', () => {
  test('then binary data is stored as application/octet-stream bytes', () => {
    const record = toEsdbRecord({ ...minimal, datacontenttype: 'image/png', data: allBytes });
    expect(record.contentType).toBe('application/octet-stream');
    expect(Uint8Array.from(record.data as Uint8Array)).toEqual(allBytes);
  });

  test('then text data is stored as its UTF-8 bytes', () => {
    const record = toEsdbRecord({ ...minimal, datacontenttype: 'text/plain', data: 'héllo' });
    expect(record.contentType).toBe('application/octet-stream');
    expect(Buffer.from(record.data as Uint8Array).toString()).toBe('héllo');
  });

  test('then no data is stored as empty bytes and read back as no data', () => {
    const record = toEsdbRecord(minimal);
    expect(record).toMatchObject({
      contentType: 'application/octet-stream',
      data: new Uint8Array(0),
    });
    expect(fromEsdbRecord(record)).toEqual(minimal);
  });

  test('then empty non-JSON data is refused: it would read back as no data', () => {
    const error = invalid(() =>
      toEsdbRecord({ ...minimal, datacontenttype: 'text/plain', data: '' }),
    );
    expect(error.attribute).toBe('data');
    expect(error.reason).toBe(
      'an EventStoreDB record cannot tell empty data from no data under a non-JSON datacontenttype',
    );
  });
});

describe('given a read EventStoreDB event, when it is not one this mapping wrote', () => {
  const record = toEsdbRecord(fromEnvelope);

  test.each([
    [
      'metadata that is not JSON',
      { ...record, metadata: Buffer.from('{nope') },
      undefined,
      /^metadata is not valid JSON: /,
    ],
    [
      'metadata that is an array',
      { ...record, metadata: [] },
      undefined,
      /^metadata must be a JSON object of attributes, got an array$/,
    ],
    [
      'metadata carrying the id',
      { ...record, metadata: { ...record.metadata, id: 'other' } },
      'id',
      /^metadata must not carry "id"; it comes from the record itself$/,
    ],
    [
      'octet-stream data that is not bytes',
      { ...record, contentType: 'application/octet-stream', data: 'text' },
      'data',
      /^a application\/octet-stream record's data must be bytes, got "text"$/,
    ],
    [
      'JSON bytes that do not parse',
      { ...record, data: Buffer.from('{') },
      'data',
      /^data is not valid JSON although no datacontenttype implies JSON: /,
    ],
    [
      'no metadata at all',
      { id: 'e', type: 't', data: {} },
      'source',
      /^required attribute "source" is missing$/,
    ],
  ] as const)('then %s is refused', (_, input, attribute, reason) => {
    const error = invalid(() => fromEsdbRecord(input));
    expect(error).toBeInstanceOf(InvalidCloudEvent);
    expect(error.attribute).toBe(attribute);
    expect(error.reason).toMatch(reason);
    expect(error.eventId).toBe(input.id);
  });

  test('then null metadata values count as unset', () => {
    const metadata = { ...record.metadata, tenant: null };
    expect(fromEsdbRecord({ ...record, metadata })).not.toHaveProperty('tenant');
  });
});

describe('given metadata with a "__proto__" key (parsed JSON keeps it as an own key)', () => {
  test('when read, then it is refused as an extension name instead of setting a prototype', () => {
    const record = toEsdbRecord(fromEnvelope);
    const metadata = JSON.parse(
      JSON.stringify(record.metadata).replace('{', '{"__proto__":{"polluted":"yes"},'),
    ) as Record<string, unknown>;
    const error = invalid(() => fromEsdbRecord({ ...record, metadata }));
    expect(error.attribute).toBe('__proto__');
    expect(error.reason).toBe(
      'extension name "__proto__" must be 1 to 20 lowercase ASCII letters or digits ([a-z0-9]{1,20})',
    );
  });
});
