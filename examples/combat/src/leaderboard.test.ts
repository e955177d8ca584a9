import { describe, expect, it } from 'vitest';
import {
  commandHandler,
  InMemoryCheckpoints,
  InMemoryEventStore,
  storeSource,
} from '@eventfan/core';
import { Combat, STARTING_HITPOINTS } from './combat.js';
import { attacks } from './fight.js';
import { Leaderboard } from './leaderboard.js';

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the leaderboard did not catch up');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the leaderboard projection', () => {
  it('follows the fights live, counts kills, and rebuilds from the beginning to the same board', async () => {
    const store = new InMemoryEventStore();
    const combat = commandHandler({ aggregate: Combat, store });
    const board = new Leaderboard(STARTING_HITPOINTS);
    const live = board.follow(
      storeSource({ store, checkpoints: new InMemoryCheckpoints(), idleMs: 5 }),
    );
    for (const command of attacks('ogre')) await combat.handle('ogre', command).catch(() => {});
    await combat.handle('troll', { type: 'Attack', entityId: 'troll', damage: 100 });
    await until(() => board.standings().length === 2 && board.standings()[0]?.attacks === 4);
    await live.stop();
    expect(board.standings()).toEqual([
      { entityId: 'ogre', hitpoints: 0, attacks: 4, dead: true },
      { entityId: 'troll', hitpoints: 800, attacks: 1, dead: false },
    ]);
    expect(board.kills).toBe(1);

    const rebuilt = new Leaderboard(STARTING_HITPOINTS);
    const again = rebuilt.follow(
      storeSource({ store, checkpoints: new InMemoryCheckpoints(), idleMs: 5 }),
    );
    await until(() => rebuilt.standings().length === 2 && rebuilt.kills === 1);
    await again.stop();
    expect(rebuilt.standings()).toEqual(board.standings());
  });
});
