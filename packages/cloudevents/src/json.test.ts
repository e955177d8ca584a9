import { describe, expect, test } from 'vitest';
import { InvalidCloudEvent } from './errors.js';
import { allBytes, invalid } from './events.fixture.js';
import { decodeBatch, decodeJson, encodeBatch, encodeJson } from './json.js';

const event = {
  specversion: '1.0',
  id: 'evt-1',
  source: '/combat/arena',
  type: 'combatevent.entityattacked',
} as const;

describe('given an event with binary data, when encoded in the JSON format', () => {
  test('then the bytes travel as data_base64 and data is absent', () => {
    const json = JSON.parse(
      encodeJson({ ...event, datacontenttype: 'application/octet-stream', data: allBytes }),
    ) as Record<string, unknown>;
    expect(json.data_base64).toBe(Buffer.from(allBytes).toString('base64'));
    expect(json).not.toHaveProperty('data');
  });

  test('then an event given as data_base64 decodes with the bytes in data', () => {
    const decoded = decodeJson(
      encodeJson({ ...event, datacontenttype: 'image/png', data_base64: 'AAH/' }),
    );
    expect(decoded.data).toEqual(new Uint8Array([0, 1, 255]));
    expect(decoded).not.toHaveProperty('data_base64');
  });
});

describe('given JSON-format text from another producer, when decoded', () => {
  test('then null attributes count as unset, but null data stays explicit', () => {
    const decoded = decodeJson(
      JSON.stringify({ ...event, subject: null, time: null, tenant: null, data: null }),
    );
    expect(decoded).toEqual({ ...event, data: null });
    expect(decoded).not.toHaveProperty('subject');
  });

  test('then a JSON string in data under a JSON type stays a string (not parsed again)', () => {
    expect(decodeJson(JSON.stringify({ ...event, data: '{"a":1}' })).data).toBe('{"a":1}');
  });

  test.each([
    ['text that is not JSON', '{"id":', undefined, /^the event is not valid JSON: /],
    [
      'a JSON array',
      '[]',
      undefined,
      /^the JSON format carries an event as a JSON object, got an array$/,
    ],
    [
      'bytes that are not UTF-8',
      new Uint8Array([0x7b, 0xff, 0x7d]),
      undefined,
      /^the event's JSON text is not valid UTF-8$/,
    ],
    [
      'data_base64 that is a number',
      JSON.stringify({ ...event, datacontenttype: 'image/png', data_base64: 5 }),
      'data_base64',
      /^data_base64 must be a base64 \(RFC 4648\) string, got 5 \(number\)$/,
    ],
    [
      'both data and data_base64',
      JSON.stringify({ ...event, datacontenttype: 'image/png', data: 'x', data_base64: 'eA==' }),
      'data',
      /^an event carries either data or data_base64, not both$/,
    ],
    [
      'data_base64 under application/json',
      JSON.stringify({ ...event, datacontenttype: 'application/json', data_base64: 'eA==' }),
      'data_base64',
      /^binary data needs a non-JSON datacontenttype/,
    ],
    [
      'a missing id',
      JSON.stringify({ ...event, id: undefined }),
      'id',
      /^required attribute "id" is missing$/,
    ],
    [
      'a bad extension name',
      JSON.stringify({ ...event, Tenant: 'x' }),
      'Tenant',
      /^extension name "Tenant" must be/,
    ],
  ] as const)('then %s is refused', (_, text, attribute, reason) => {
    const error = invalid(() => decodeJson(text));
    expect(error).toBeInstanceOf(InvalidCloudEvent);
    expect(error.attribute).toBe(attribute);
    expect(error.reason).toMatch(reason);
  });
});

describe('given a batch', () => {
  test('when encoding meets an invalid event, then the error names its index', () => {
    const error = invalid(() => encodeBatch([event, { ...event, time: 'soon' }]));
    expect(error.attribute).toBe('time');
    expect(error.reason).toBe('batch item 1: time must be an RFC 3339 timestamp, got "soon"');
    expect(error.cause).toBeInstanceOf(InvalidCloudEvent);
  });

  test('when decoding meets an invalid event, then the error names its index', () => {
    const error = invalid(() =>
      decodeBatch(JSON.stringify([event, event, { ...event, specversion: '2.0' }])),
    );
    expect(error.attribute).toBe('specversion');
    expect(error.reason).toBe('batch item 2: specversion must be "1.0", got "2.0"');
  });

  test('when the text is a single event rather than an array, then it is refused', () => {
    const error = invalid(() => decodeBatch(JSON.stringify(event)));
    expect(error.reason).toBe('a batch is a JSON array of events, got an object (Object)');
  });

  test('when encoding, then it is a JSON array of the JSON-format events', () => {
    expect(JSON.parse(encodeBatch([event, event]))).toEqual([event, event]);
  });
});

describe('given forbidden characters in string attributes', () => {
  const cases = [
    ['a NUL (escaped in JSON text)', '\u0000'],
    ['a DEL (raw in JSON text)', '\u007f'],
    ['a C1 control (raw, not ASCII)', '\u0085'],
    ['a lone surrogate (escaped by JSON.stringify)', '\ud800'],
  ] as const;
  const reason = (name: string) =>
    `${name} contains a control character or a lone surrogate, which CloudEvents strings exclude`;

  test.each(cases)('when JSON text carries %s in subject, then decoding refuses it', (_, bad) => {
    const text = JSON.stringify({ ...event, subject: `a${bad}b` });
    for (const input of [text, Buffer.from(text)]) {
      const error = invalid(() => decodeJson(input));
      expect(error.attribute).toBe('subject');
      expect(error.reason).toBe(reason('subject'));
    }
  });

  test.each(cases)(
    'when a batch carries %s in an extension, then decoding refuses it',
    (_, bad) => {
      const error = invalid(() => decodeBatch(JSON.stringify([event, { ...event, tenant: bad }])));
      expect(error.attribute).toBe('tenant');
      expect(error.reason).toBe(`batch item 1: ${reason('tenant')}`);
    },
  );

  test.each(cases)('when an event carries %s in type, then encoding refuses it', (_, bad) => {
    const error = invalid(() => encodeJson({ ...event, type: `t${bad}` }));
    expect(error.attribute).toBe('type');
    expect(error.reason).toBe(reason('type'));
  });

  test('when strings carry escaped quotes, backslashes and emoji, then they pass', () => {
    const subject = 'say "hi" \\ 😀 ünï';
    expect(decodeJson(encodeJson({ ...event, subject })).subject).toBe(subject);
  });
});
