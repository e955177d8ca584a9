import { describe, expect, it } from 'vitest';
import { describeTally, tallyDelivery, type TalliedEvent } from './delivery-tally.js';

const event = (stream: string, generation: number): TalliedEvent => ({
  id: `${stream}#${generation}`,
  stream,
  generation,
});
const stored = [event('a', 1), event('a', 2), event('a', 3), event('b', 1)];

describe('tallyDelivery', () => {
  it('given every event once in order, then nothing is lost, duplicated or out of order', () => {
    const tally = tallyDelivery({ stored, received: stored });
    expect(describeTally('t', tally)).toBe(
      't: stored 4, received 4, lost 0, duplicated 0 (0 extra copies, 0 unexplained by a re-send), re-sent 0, out of order 0 streams, unexpected 0',
    );
  });

  it('given a re-sent run, then its copies are duplicates explained by the sends, order kept after dedupe', () => {
    const received = [event('a', 1), event('a', 2), event('a', 2), event('a', 3), event('b', 1)];
    const explained = tallyDelivery({ stored, received, sends: new Map([['a#2', 2]]) });
    expect([explained.extraCopies, explained.unexplained, explained.outOfOrder]).toEqual([
      1,
      [],
      [],
    ]);
    expect(tallyDelivery({ stored, received }).unexplained).toEqual(['a#2']);
  });

  it('given a missing, a foreign and a swapped event, then each is counted', () => {
    const received = [event('a', 2), event('a', 1), event('c', 1)];
    const tally = tallyDelivery({ stored, received });
    expect([tally.lost, tally.unexpected, tally.outOfOrder]).toEqual([
      ['a#3', 'b#1'],
      ['c#1'],
      ['a', 'b'],
    ]);
  });
});
