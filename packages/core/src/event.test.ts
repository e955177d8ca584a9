import { describe, expect, it } from 'vitest';
import { defineEvents, deriveEventType, payload } from './event.js';
import { InvalidEvent } from './errors.js';
import { TallyEvent } from './tally.fixture.js';

describe('event definitions', () => {
  it('derive the external type as the seed crate does: <family>.<event>, lower case', () => {
    expect(deriveEventType('CombatEvent', 'EntityAttacked')).toBe('combatevent.entityattacked');
    expect(TallyEvent.typeOf('Added')).toBe('tallyevent.added');
    expect(TallyEvent.nameOf('tallyevent.closed')).toBe('Closed');
    expect(TallyEvent.nameOf('tallyevent.nope')).toBeUndefined();
  });

  it('carry the version and source of the family', () => {
    expect(TallyEvent).toMatchObject({
      version: '2.1',
      source: 'events://eventfan.test/tally',
      name: 'TallyEvent',
    });
    expect(TallyEvent.names).toEqual(['Added', 'Tagged', 'Closed', 'Raw']);
  });

  it('validate data with a zod schema and name the failing path', async () => {
    await expect(TallyEvent.validate({ type: 'Added', data: { amount: 3 } })).resolves.toEqual({
      type: 'Added',
      data: { amount: 3 },
    });
    const failure = TallyEvent.validate(
      { type: 'Added', data: { amount: -1 } },
      { stream: 'tally-a', generation: 4 },
    );
    await expect(failure).rejects.toThrow(InvalidEvent);
    await expect(failure).rejects.toThrow(
      /stream "tally-a", generation 4, event "Added".*\$\.data\.amount/,
    );
  });

  it('validate data with a valibot schema', async () => {
    await expect(TallyEvent.validate({ type: 'Tagged', data: { tag: '' } })).rejects.toThrow(
      /\$\.data\.tag/,
    );
  });

  it('reject data JSON cannot carry, naming where it is', async () => {
    const cases: [unknown, RegExp][] = [
      [{ at: new Date(0) }, /\$\.data\.at is a Date/],
      [{ n: Number.NaN }, /\$\.data\.n is NaN/],
      [{ big: 1n }, /\$\.data\.big is a bigint/],
      [[1, () => 1], /\$\.data\[1\] is a function/],
      [{ u: undefined }, /\$\.data\.u is undefined/],
      [new Map(), /\$\.data is a Map/],
    ];
    for (const [data, message] of cases) {
      await expect(TallyEvent.validate({ type: 'Raw', data })).rejects.toThrow(message);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    await expect(TallyEvent.validate({ type: 'Raw', data: cyclic })).rejects.toThrow(
      /\$\.data\.self is a circular reference/,
    );
  });

  it('reject an event the family does not define', async () => {
    await expect(TallyEvent.validate({ type: 'Nope', data: null })).rejects.toThrow(
      /family "TallyEvent" has no event "Nope"/,
    );
  });

  it('refuse bad definitions: a source without a scheme, two names deriving one type', () => {
    expect(() => defineEvents('X', { version: '1', source: 'nope' }, {})).toThrow(/must be a URI/);
    expect(() =>
      defineEvents('X', { version: '1', source: 'urn:x' }, { Ab: payload(), AB: payload() }),
    ).toThrow(/both derive type "x.ab"/);
  });
});

describe('a family source', () => {
  it.each(['events://x/a b', 'events://x/\u0007', 'no-scheme'])(
    'is refused when it is not a URI without blanks: %j',
    (source) => {
      expect(() => defineEvents('F', { version: '1', source }, { A: payload() })).toThrow(
        /must be a URI with a scheme, without spaces or control characters/,
      );
    },
  );
});
