import type { Envelope } from '@eventfan/core';
import { describe, expect, test } from 'vitest';
import { fromSequence, toCloudEvent, toEnvelope, toSequence } from './envelope.js';
import { InvalidCloudEvent } from './errors.js';
import { envelope, fromEnvelope, invalid } from './events.fixture.js';

describe('given an envelope', () => {
  test('when converted, then every field lands on its documented attribute', () => {
    expect(toCloudEvent(envelope)).toEqual(fromEnvelope);
  });

  test('when converted and back, then the envelope is deep-equal to the original', () => {
    expect(toEnvelope(toCloudEvent(envelope))).toEqual(envelope);
  });

  test('when it has no metadata and no data, then it still round-trips', () => {
    const bare: Envelope = { ...envelope, metadata: {}, data: undefined };
    const event = toCloudEvent(bare);
    expect(event).not.toHaveProperty('data');
    expect(toEnvelope(event)).toEqual(bare);
  });

  test('when a metadata value is undefined, then no extension is made for it', () => {
    const event = toCloudEvent({ ...envelope, metadata: { tenant: undefined } });
    expect(event).not.toHaveProperty('tenant');
  });

  test.each([
    [
      'Tenant',
      'extension name "Tenant" must be 1 to 20 lowercase ASCII letters or digits ([a-z0-9]{1,20})',
    ],
    [
      'x-request-id',
      'extension name "x-request-id" must be 1 to 20 lowercase ASCII letters or digits ([a-z0-9]{1,20})',
    ],
    [
      'subject',
      '"subject" is a reserved CloudEvents attribute and cannot be used as an extension name',
    ],
    ['data', '"data" is a reserved CloudEvents attribute and cannot be used as an extension name'],
    ['sequence', '"sequence" is the extension that carries the generation'],
    ['partitionkey', '"partitionkey" is the extension that carries the stream'],
    ['correlationid', '"correlationid" is the extension that carries metadata.correlationId'],
  ])('when a metadata key is %s, then toCloudEvent refuses it naming the key', (key, problem) => {
    const error = invalid(() => toCloudEvent({ ...envelope, metadata: { [key]: 'v' } }));
    expect(error).toBeInstanceOf(InvalidCloudEvent);
    expect(error.attribute).toBe(key);
    expect(error.reason).toBe(
      `metadata key "${key}" cannot become a CloudEvents extension: ${problem}`,
    );
    expect(error.message).toContain(`event "${envelope.id}"`);
  });

  test('when its data is not JSON, then toCloudEvent refuses it naming the path', () => {
    const error = invalid(() => toCloudEvent({ ...envelope, data: { hp: 10n } }));
    expect(error.attribute).toBe('data');
    expect(error.reason).toBe(
      'data.hp is a bigint, which JSON cannot carry; under datacontenttype "application/json" data must be a JSON value',
    );
  });

  test.each([0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1])(
    'when its generation is %s, then toCloudEvent refuses it',
    (generation) => {
      const error = invalid(() => toCloudEvent({ ...envelope, generation }));
      expect(error.attribute).toBe('sequence');
      expect(error.reason).toBe(
        `the envelope's generation must be a positive integer, got ${generation} (number)`,
      );
    },
  );

  test('when its time is not RFC 3339, then toCloudEvent refuses it', () => {
    const error = invalid(() => toCloudEvent({ ...envelope, time: 'now' }));
    expect(error.attribute).toBe('time');
  });
});

describe('given the sequence extension', () => {
  test('when made from generations, then string order is generation order', () => {
    const sequences = [1, 9, 10, 99, 100, 2 ** 40].map(toSequence);
    expect([...sequences].sort()).toEqual(sequences);
    expect(toSequence(12)).toBe('00000000000000000012');
  });

  test('when read back, then padded and unpadded decimals both give the generation', () => {
    expect(fromSequence('00000000000000000012')).toBe(12);
    expect(fromSequence('12')).toBe(12);
  });

  test.each(['', '0', '-3', '1e3', 'twelve', '123456789012345678901'])(
    'when it is %j, then it is refused',
    (sequence) => {
      const error = invalid(() => fromSequence(sequence, 'evt-1'));
      expect(error.attribute).toBe('sequence');
      expect(error.message).toContain('sequence must be the stream generation in decimal digits');
    },
  );
});

describe('given a CloudEvent, when converted to an envelope', () => {
  test.each([
    ['subject', 'an envelope needs "subject" (the stream), which is missing'],
    ['sequence', 'an envelope needs "sequence" (the generation), which is missing'],
    ['eventversion', 'an envelope needs "eventversion" (the event version), which is missing'],
    ['aggregate', 'an envelope needs "aggregate" (the aggregate name), which is missing'],
    ['time', 'an envelope needs "time" (when the event happened), which is missing'],
  ])('then a missing %s is named', (attribute, reason) => {
    const event = { ...fromEnvelope, [attribute]: undefined };
    const error = invalid(() => toEnvelope(event));
    expect(error.attribute).toBe(attribute);
    expect(error.reason).toBe(reason);
  });

  test('then a boolean eventversion is refused as not a string', () => {
    const error = invalid(() => toEnvelope({ ...fromEnvelope, eventversion: true }));
    expect(error.reason).toBe(
      'an envelope needs "eventversion" (the event version), which is true (boolean), not a string',
    );
  });

  test('then binary data is refused: envelopes carry JSON', () => {
    const event = { ...fromEnvelope, datacontenttype: 'image/png', data: new Uint8Array([1]) };
    const error = invalid(() => toEnvelope(event));
    expect(error.attribute).toBe('datacontenttype');
    expect(error.reason).toBe('an envelope carries JSON data, but datacontenttype is "image/png"');
  });

  test('then foreign extensions become metadata as strings', () => {
    const envelopeOut = toEnvelope({ ...fromEnvelope, priority: 3, urgent: true });
    expect(envelopeOut.metadata).toMatchObject({ priority: '3', urgent: 'true' });
  });

  test('then an invalid event is refused before mapping', () => {
    const error = invalid(() => toEnvelope({ ...fromEnvelope, specversion: '0.3' } as never));
    expect(error.attribute).toBe('specversion');
  });
});
