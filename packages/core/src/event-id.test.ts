import { describe, expect, it } from 'vitest';
import { eventId } from './event-id.js';

describe('eventId', () => {
  it('is the UUID v5 of stream, generation and command id (checked against Python uuid.uuid5)', () => {
    expect(eventId('tally-a', 1, 'cmd-1')).toBe('ad5bbe3f-5131-5663-9bec-4a095d2b690c');
    expect(eventId('combat-ogre', 3, 'ü-42')).toBe('af9f2876-d991-529c-961f-2c9472f9ad3e');
  });

  it('gives a different id when stream, generation or command differ', () => {
    const ids = [
      eventId('s', 1, 'c'),
      eventId('s', 2, 'c'),
      eventId('x', 1, 'c'),
      eventId('s', 1, 'd'),
      eventId('s1', 1, 'c'),
      eventId('s', 11, 'c'),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });
});
