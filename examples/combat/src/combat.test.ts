import { describe, expect, it } from 'vitest';
import { specification } from '@eventfan/testing/specification';
import { Combat, CombatEvent, STARTING_HITPOINTS } from './combat.js';

const ogre = specification(Combat, 'ogre');
const attacked = (damage: number) =>
  CombatEvent.event('EntityAttacked', { entityId: 'ogre', damage });

describe('combat', () => {
  it('given a fresh ogre, when attacked for 150, then EntityAttacked and 750 hitpoints at generation 1', () => {
    const after = ogre
      .given()
      .when({ type: 'Attack', entityId: 'ogre', damage: 150 })
      .then(attacked(150));
    expect(after).toMatchObject({
      generation: 1,
      state: { entityId: 'ogre', hitpoints: STARTING_HITPOINTS - 150 },
    });
  });

  it('given damage past its hitpoints, hitpoints stop at 0', () => {
    const after = ogre
      .given(attacked(800))
      .when({ type: 'Attack', entityId: 'ogre', damage: 500 })
      .then(attacked(500));
    expect(after.state.hitpoints).toBe(0);
  });

  it('given a dead ogre, when attacked, then the attack is rejected', () => {
    ogre
      .given(attacked(900))
      .when({ type: 'Attack', entityId: 'ogre', damage: 1 })
      .thenRejects('ogre is already dead');
  });

  it('given any ogre, an attack aimed at someone else or with no damage is rejected', () => {
    ogre
      .given()
      .when({ type: 'Attack', entityId: 'troll', damage: 5 })
      .thenRejects(/not troll/);
    ogre
      .given()
      .when({ type: 'Attack', entityId: 'ogre', damage: 0 })
      .thenRejects(/damage must be a whole number > 0/);
  });

  it('RandomEvent and UnitEvent replay without changing the state', () => {
    const after = ogre
      .given(CombatEvent.event('RandomEvent', { a: 1, b: 2 }), CombatEvent.event('UnitEvent', null))
      .when({ type: 'Attack', entityId: 'ogre', damage: 1 })
      .then(attacked(1));
    expect(after).toMatchObject({ generation: 3, state: { hitpoints: STARTING_HITPOINTS - 1 } });
  });
});
