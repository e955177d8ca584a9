import { EventfanError } from '@eventfan/core';
import { describe, expect, test } from 'vitest';
import { validateCloudEvent, type CloudEvent } from './cloudevent.js';
import { InvalidCloudEvent } from './errors.js';
import { allBytes, invalid, roundTripCases } from './events.fixture.js';

const valid = {
  specversion: '1.0',
  id: 'evt-1',
  source: '/combat/arena',
  type: 'combatevent.entityattacked',
} as const;

describe('given a valid event', () => {
  test.each(roundTripCases)(
    'when it carries %s, then validation returns the same object',
    (_, event) => {
      expect(validateCloudEvent(event)).toBe(event);
    },
  );

  test('when optional attributes are undefined, then they count as absent', () => {
    expect(validateCloudEvent({ ...valid, subject: undefined, custom: undefined })).toMatchObject(
      valid,
    );
  });

  test('when extensions are booleans and 32-bit integers, then they pass', () => {
    const event = { ...valid, flag: true, count: -2147483648, max: 2147483647 };
    expect(validateCloudEvent(event)).toBe(event);
  });

  test.each([
    '2024-02-29T23:59:60Z',
    '1985-04-12T23:20:50.52Z',
    '1996-12-19T16:39:57-08:00',
    '2024-05-01t12:00:00.000000001z',
  ])('when time is the RFC 3339 timestamp %s, then it passes', (time) => {
    expect(validateCloudEvent({ ...valid, time }).time).toBe(time);
  });
});

describe('given an invalid event, when it is validated', () => {
  const cases: readonly (readonly [string, unknown, string | undefined, string])[] = [
    ['not an object', 'hello', undefined, 'a CloudEvent is an object of attributes, got "hello"'],
    ['an array', [valid], undefined, 'a CloudEvent is an object of attributes, got an array'],
    ['no id', { ...valid, id: undefined }, 'id', 'required attribute "id" is missing'],
    [
      'a null source',
      { ...valid, source: null },
      'source',
      'required attribute "source" is missing',
    ],
    [
      'no type',
      { specversion: '1.0', id: 'a', source: 's' },
      'type',
      'required attribute "type" is missing',
    ],
    [
      'no specversion',
      { id: 'a', source: 's', type: 't' },
      'specversion',
      'required attribute "specversion" is missing',
    ],
    [
      'specversion 0.3',
      { ...valid, specversion: '0.3' },
      'specversion',
      'specversion must be "1.0", got "0.3"',
    ],
    [
      'specversion as a number',
      { ...valid, specversion: 1 },
      'specversion',
      'specversion must be "1.0", got 1 (number)',
    ],
    ['an empty id', { ...valid, id: '' }, 'id', 'id must be a non-empty string'],
    ['a numeric id', { ...valid, id: 7 }, 'id', 'id must be a string, got 7 (number)'],
    [
      'a control character in type',
      { ...valid, type: 'a\r\nb' },
      'type',
      'type contains a control character or a lone surrogate, which CloudEvents strings exclude',
    ],
    [
      'a lone surrogate in subject',
      { ...valid, subject: 'x\ud800' },
      'subject',
      'subject contains a control character or a lone surrogate, which CloudEvents strings exclude',
    ],
    [
      'a source with a space',
      { ...valid, source: 'my source' },
      'source',
      'source must be a URI-reference (RFC 3986), got "my source"',
    ],
    [
      'a relative dataschema',
      { ...valid, dataschema: '/schemas/x' },
      'dataschema',
      'dataschema must be an absolute URI (RFC 3986), got "/schemas/x"',
    ],
    [
      'a time that is not RFC 3339',
      { ...valid, time: '2024-05-01 12:00' },
      'time',
      'time must be an RFC 3339 timestamp, got "2024-05-01 12:00"',
    ],
    [
      'a time without an offset',
      { ...valid, time: '2024-05-01T12:00:00' },
      'time',
      'time must be an RFC 3339 timestamp, got "2024-05-01T12:00:00"',
    ],
    [
      'February 30th',
      { ...valid, time: '2023-02-29T12:00:00Z' },
      'time',
      'time must be an RFC 3339 timestamp, got "2023-02-29T12:00:00Z"',
    ],
    [
      'hour 24',
      { ...valid, time: '2024-05-01T24:00:00Z' },
      'time',
      'time must be an RFC 3339 timestamp, got "2024-05-01T24:00:00Z"',
    ],
    [
      'a Date for time',
      { ...valid, time: new Date(0) },
      'time',
      'time must be a string, got an object (Date)',
    ],
    [
      'a datacontenttype without a subtype',
      { ...valid, datacontenttype: 'json' },
      'datacontenttype',
      'datacontenttype must be an RFC 2046 media type (type/subtype), got "json"',
    ],
    [
      'an upper-case extension name',
      { ...valid, traceParent: 'x' },
      'traceParent',
      'extension name "traceParent" must be 1 to 20 lowercase ASCII letters or digits ([a-z0-9]{1,20})',
    ],
    [
      'a 21-character extension name',
      { ...valid, abcdefghijklmnopqrstu: 'x' },
      'abcdefghijklmnopqrstu',
      'extension name "abcdefghijklmnopqrstu" must be 1 to 20 lowercase ASCII letters or digits ([a-z0-9]{1,20})',
    ],
    [
      'an extension name with a dash',
      { ...valid, 'my-ext': 'x' },
      'my-ext',
      'extension name "my-ext" must be 1 to 20 lowercase ASCII letters or digits ([a-z0-9]{1,20})',
    ],
    [
      'a null extension',
      { ...valid, tenant: null },
      'tenant',
      'tenant is null; omit an unset attribute instead',
    ],
    [
      'an object extension',
      { ...valid, tenant: { id: 1 } },
      'tenant',
      'tenant is an object (Object); extension values must be strings, booleans or 32-bit integers',
    ],
    [
      'a fractional extension',
      { ...valid, ratio: 0.5 },
      'ratio',
      'ratio is 0.5; number attributes must be 32-bit signed integers',
    ],
    [
      'an integer beyond 32 bits',
      { ...valid, count: 2 ** 31 },
      'count',
      'count is 2147483648; number attributes must be 32-bit signed integers',
    ],
    [
      'an empty partitionkey',
      { ...valid, partitionkey: '' },
      'partitionkey',
      'partitionkey must be a non-empty string',
    ],
    [
      'both data and data_base64',
      { ...valid, datacontenttype: 'application/octet-stream', data: 'x', data_base64: 'eA==' },
      'data',
      'an event carries either data or data_base64, not both',
    ],
    [
      'data_base64 that is not base64',
      { ...valid, datacontenttype: 'image/png', data_base64: 'abc' },
      'data_base64',
      'data_base64 must be a base64 (RFC 4648) string, got "abc"',
    ],
    [
      'a function as JSON data',
      { ...valid, datacontenttype: 'application/json', data: { at: () => 1 } },
      'data',
      'data.at is a function, which JSON cannot carry; under datacontenttype "application/json" data must be a JSON value',
    ],
    [
      'a Date in JSON data (no datacontenttype)',
      { ...valid, data: { when: new Date(0) } },
      'data',
      'data.when is a Date, not a plain object (convert it to JSON data first); with no datacontenttype data must be a JSON value',
    ],
    [
      'NaN in +json data',
      { ...valid, datacontenttype: 'application/cloudevents+json', data: [NaN] },
      'data',
      'data[0] is NaN, which JSON cannot carry; under datacontenttype "application/cloudevents+json" data must be a JSON value',
    ],
    [
      'binary data under application/json',
      { ...valid, datacontenttype: 'application/json', data: allBytes },
      'data',
      'binary data needs a non-JSON datacontenttype naming its format (e.g. application/octet-stream); "application/json" declares JSON data',
    ],
    [
      'binary data with no datacontenttype',
      { ...valid, data_base64: 'AAE=' },
      'data_base64',
      'binary data needs a non-JSON datacontenttype naming its format (e.g. application/octet-stream); with none, JSON data is implied',
    ],
    [
      'an object under text/plain',
      { ...valid, datacontenttype: 'text/plain', data: { a: 1 } },
      'data',
      'data under non-JSON datacontenttype "text/plain" must be a string or a Uint8Array, got an object (Object)',
    ],
  ];

  test.each(cases)('then %s is refused naming the attribute', (_, event, attribute, reason) => {
    const error = invalid(() => validateCloudEvent(event));
    expect(error).toBeInstanceOf(InvalidCloudEvent);
    expect(error).toBeInstanceOf(EventfanError);
    expect(error.code).toBe('INVALID_CLOUDEVENT');
    expect(error.attribute).toBe(attribute);
    expect(error.reason).toBe(reason);
  });

  test('then the message names the attribute, the event id and the reason', () => {
    const error = invalid(() => validateCloudEvent({ ...valid, time: 'yesterday' }));
    expect(error.message).toBe(
      'Invalid CloudEvent (attribute "time", event "evt-1"): time must be an RFC 3339 timestamp, got "yesterday"',
    );
    expect(error.eventId).toBe('evt-1');
    expect(error.name).toBe('InvalidCloudEvent');
  });

  test('then an event with reserved-looking but valid names is not confused with them', () => {
    const event: CloudEvent = { ...valid, datacontenttypes: 'x', ids: 'y' };
    expect(validateCloudEvent(event)).toBe(event);
  });
});

// The checker remembers what it learned from earlier events (the kind of each name, the last
// value of each attribute that passed): a later event must not ride on that memory.
describe('given a valid event was checked, when a later event differs from it', () => {
  const first = { ...valid, time: '2024-05-01T12:34:56.789Z', region: 'north' };

  test.each([
    [
      'a timestamp of the same minute with bad seconds',
      { ...first, time: '2024-05-01T12:34:61Z' },
      'time',
    ],
    [
      'a timestamp of the same minute with no zone',
      { ...first, time: '2024-05-01T12:34:56' },
      'time',
    ],
    [
      'a timestamp of the same minute with an empty fraction',
      { ...first, time: '2024-05-01T12:34:56.Z' },
      'time',
    ],
    [
      'a bad name where an extension was',
      { ...valid, time: first.time, Region: 'north' },
      'Region',
    ],
    ['time where an extension was', { ...valid, region: 'north', time: 'noon' }, 'time'],
    [
      'a control character in an extension found clean before',
      { ...first, region: 'north\u0007' },
      'region',
    ],
    ['a lone surrogate in the subject', { ...first, subject: 'ogre\ud800' }, 'subject'],
    [
      'a reserved name where an extension was',
      { ...valid, time: first.time, data_base64: 7 },
      'data_base64',
    ],
  ] as const)('then %s is refused', (_, later, attribute) => {
    validateCloudEvent(first);
    validateCloudEvent({ ...first, subject: 'ogre' });
    expect(invalid(() => validateCloudEvent(later)).attribute).toBe(attribute);
  });

  test.each([
    ['another second of the same minute', '2024-05-01T12:34:07Z'],
    ['the same minute with an offset', '2024-05-01T12:34:00.5+01:00'],
    ['the next minute', '2024-05-01T12:35:00Z'],
  ])('then %s passes', (_, time) => {
    validateCloudEvent(first);
    expect(validateCloudEvent({ ...first, time }).time).toBe(time);
  });

  test.each([
    [{ specversion: '1.0' }, 'id'],
    [{ id: 'a', type: 't', specversion: '1.0' }, 'source'],
    [{ type: 't', source: '/s', id: 'a' }, 'specversion'],
  ])('then the first missing required attribute of %o is named', (later, attribute) => {
    validateCloudEvent(first);
    expect(invalid(() => validateCloudEvent(later)).attribute).toBe(attribute);
  });
});
