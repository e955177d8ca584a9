import { describe, expect, it } from 'vitest';
import { eventId } from './event-id.js';

describe('eventId', () => {
  it('is the UUID v5 of stream, generation, type and canonical JSON data (checked against Python uuid.uuid5)', () => {
    expect(eventId('tally-a', 1, 'tallyevent.added', { amount: 4 })).toBe(
      'e7e703a4-19df-5fd4-a558-31e3619525a7',
    );
    expect(
      eventId('combat-ogre', 3, 'combatevent.entityattacked', {
        note: 'ü',
        damage: 150,
        entityId: 'ogre',
      }),
    ).toBe('c86e974a-b076-5611-812f-a742d6f31b9b');
  });

  it('gives the same id for the same event, whatever the key order of its data', () => {
    expect(eventId('s', 7, 't', { a: 1, b: [1, { c: 2, d: 3 }] })).toBe(
      eventId('s', 7, 't', { b: [1, { d: 3, c: 2 }], a: 1 }),
    );
  });

  it('gives a different id when stream, generation, type or data differ', () => {
    const ids = [
      eventId('s', 1, 't', 1),
      eventId('s', 2, 't', 1),
      eventId('x', 1, 't', 1),
      eventId('s', 1, 'u', 1),
      eventId('s', 1, 't', 2),
      eventId('s1', 1, 't', 1),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });
});
