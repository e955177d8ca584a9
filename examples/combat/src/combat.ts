import { defineAggregate, defineEvents, payload, reject } from '@eventfan/core';
import type { EventOf } from '@eventfan/core';

/** The seed crate's combat sample: `CombatEvent` with its version and source. */
export const CombatEvent = defineEvents(
  'CombatEvent',
  { version: '1.0', source: 'events://github.com/pholactery/eventsourcing/samples/combat' },
  {
    EntityAttacked: payload<{ entityId: string; damage: number }>(),
    RandomEvent: payload<{ a: number; b: number }>(),
    UnitEvent: payload(),
  },
);
export type CombatEvent = EventOf<typeof CombatEvent>;

export type CombatCommand = { type: 'Attack'; entityId: string; damage: number };

export interface CombatState {
  readonly entityId: string;
  readonly hitpoints: number;
}

export const STARTING_HITPOINTS = 900;

export const Combat = defineAggregate<CombatState, CombatCommand, CombatEvent>({
  name: 'combat',
  events: CombatEvent,
  initialState: (entityId) => ({ entityId, hitpoints: STARTING_HITPOINTS }),
  handle: {
    Attack(state, { entityId, damage }) {
      if (entityId !== state.entityId) return reject(`this is ${state.entityId}, not ${entityId}`);
      if (!Number.isInteger(damage) || damage <= 0)
        return reject(`damage must be a whole number > 0, got ${damage}`);
      if (state.hitpoints === 0) return reject(`${entityId} is already dead`);
      return CombatEvent.event('EntityAttacked', { entityId, damage });
    },
  },
  apply: {
    // Every field named: V8 copies `{ ...state, hitpoints }` (a spread, then a field it already
    // has) ~10x slower than it builds this literal, and replay calls it once per stored event.
    EntityAttacked: (state, { damage }) => ({
      entityId: state.entityId,
      hitpoints: Math.max(0, state.hitpoints - damage),
    }),
    RandomEvent: (state) => state,
    UnitEvent: (state) => state,
  },
});
