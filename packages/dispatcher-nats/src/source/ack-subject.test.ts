import { describe, expect, it } from 'vitest';
import { deliveryOf } from './ack-subject.js';

describe('deliveryOf', () => {
  it('reads the 9-token and the 12-token ack subjects', () => {
    expect(deliveryOf('$JS.ACK.EVENTS.proj.2.41.57.1700000000000000000.3')).toEqual({
      stream: 'EVENTS',
      deliveryCount: 2,
      streamSequence: 41,
      consumerSequence: 57,
      pending: 3,
    });
    expect(
      deliveryOf('$JS.ACK.hub.ACCHASH.EVENTS.proj.1.7.8.1700000000000000000.0.rnd'),
    ).toMatchObject({ stream: 'EVENTS', deliveryCount: 1, streamSequence: 7, consumerSequence: 8 });
  });

  it('says nothing of other subjects', () => {
    expect(deliveryOf(undefined)).toBeUndefined();
    expect(deliveryOf('_INBOX.x.y')).toBeUndefined();
    expect(deliveryOf('$JS.ACK.too.short')).toBeUndefined();
  });
});
