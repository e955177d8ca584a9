import { describe, expect, it } from 'vitest';
import { defineAggregate } from './aggregate.js';
import { toEnvelopes } from './envelopes.js';
import { InvalidEvent } from './errors.js';
import { defineEvents, payload } from './event.js';
import { initial } from './aggregate.js';
import { load } from './load.js';
import { InMemoryEventStore } from './memory-store.js';

/** The combat event of 2.0 carries `critical`; 1.0 events had none, and 1.5 named damage `hit`. */
const V2 = defineEvents(
  'CombatEvent',
  {
    version: '2.0',
    source: 'events://eventfan.test/combat',
    history: [
      {
        from: '1.0',
        upcast: {
          EntityAttacked: (d) => ({ ...(d as object), hit: (d as { damage: number }).damage }),
        },
      },
      {
        from: '1.5',
        upcast: {
          EntityAttacked: (d) => {
            const { hit, ...rest } = d as { hit: number; damage?: number };
            return { ...rest, damage: hit, critical: hit >= 100 };
          },
        },
      },
    ],
  },
  { EntityAttacked: payload<{ entityId: string; damage: number; critical: boolean }>() },
);

const Ogre = defineAggregate<
  { hp: number; crits: number },
  { type: 'Noop' },
  ReturnType<typeof V2.event<'EntityAttacked'>>
>({
  name: 'combat',
  events: V2,
  initialState: () => ({ hp: 900, crits: 0 }),
  handle: { Noop: () => [] },
  apply: {
    EntityAttacked: (s, d) => ({ hp: s.hp - d.damage, crits: s.crits + (d.critical ? 1 : 0) }),
  },
});

describe('event versions and upcasting', () => {
  it('upcasts 1.0 data through every later step to the current shape', () => {
    expect(V2.versions).toEqual(['1.0', '1.5', '2.0']);
    expect(V2.upcast('EntityAttacked', '1.0', { entityId: 'o', damage: 150 })).toEqual({
      entityId: 'o',
      damage: 150,
      critical: true,
    });
    const current = { entityId: 'o', damage: 5, critical: false };
    expect(V2.upcast('EntityAttacked', '2.0', current)).toBe(current);
  });

  it('load replays a stream of 1.0 and 2.0 events into the current state', async () => {
    const store = new InMemoryEventStore();
    const start = initial(Ogre, 'o');
    const { envelopes } = await toEnvelopes(Ogre, start, [
      V2.event('EntityAttacked', { entityId: 'o', damage: 150, critical: true }),
      V2.event('EntityAttacked', { entityId: 'o', damage: 10, critical: false }),
    ]);
    const old = {
      ...(envelopes[0] as (typeof envelopes)[number]),
      version: '1.0',
      data: { entityId: 'o', damage: 150 },
    };
    await store.append('combat-o', [old, envelopes[1] as (typeof envelopes)[number]], 0);
    expect(await load(Ogre, store, 'o')).toMatchObject({
      generation: 2,
      state: { hp: 740, crits: 1 },
    });
  });

  it('a version the family does not know is InvalidEvent naming the versions it reads', () => {
    expect(() => V2.upcast('EntityAttacked', '0.9', {})).toThrow(InvalidEvent);
    expect(() => V2.upcast('EntityAttacked', '0.9', {})).toThrow(/reads 1.0, 1.5, 2.0/);
  });

  it('an upcaster that throws is InvalidEvent naming the event and step', () => {
    expect(() => V2.upcast('EntityAttacked', '1.5', null)).toThrow(
      /upcaster of "EntityAttacked" from version 1.5 threw/,
    );
  });

  it('refuses a history that lists a version twice', () => {
    expect(() =>
      defineEvents(
        'F',
        { version: '1', source: 'events://x', history: [{ from: '1', upcast: {} }] },
        { A: payload() },
      ),
    ).toThrow(/lists a version twice/);
  });
});
