import { parseArgs } from 'node:util';
import { commandHandler } from '@eventfan/core';
import { Combat, STARTING_HITPOINTS } from './combat.js';
import { connectTargets, type Targets } from './brokers.js';
import { fight } from './fight.js';
import { Leaderboard } from './leaderboard.js';
import { startLocalBrokers } from './local-brokers.js';

/**
 * `npm run demo`: the seed's combat sample on the embedded in-memory store and two in-memory
 * publishers; with ESDB_CONNECTION_STRING, KAFKA_BROKERS or NATS_URL set, on those brokers;
 * with `--local-brokers`, on nats-server, Kafka and the EventStoreDB test server (emulator) it
 * starts itself and stops at the end.
 */
const { values } = parseArgs({ options: { 'local-brokers': { type: 'boolean', default: false } } });
const local = values['local-brokers'] ? await startLocalBrokers(console.log) : undefined;
const targets = await connectTargets(console.log, { ...process.env, ...local?.env }).catch(
  async (error: unknown) => {
    await local?.stop();
    throw error;
  },
);
try {
  const combat = commandHandler({
    aggregate: Combat,
    store: targets.store,
    publishers: targets.publishers,
    snapshotEvery: 3,
  });
  console.log(
    'eventfan combat demo — store:',
    targets.store.name,
    '— publishers:',
    targets.publishers.map((p) => p.name).join(', '),
  );
  // A fresh ogre each run, so a persistent store's earlier fights do not get in the way.
  const ogre = `ogre-${Date.now().toString(36)}`;
  await fight(combat, ogre, console.log);
  await showLeaderboard(targets, ogre);
} finally {
  await targets.close();
  await local?.stop();
}

/** The leaderboard projection, rebuilt from the beginning by a subscription. */
async function showLeaderboard(targets: Targets, entityId: string): Promise<void> {
  const board = new Leaderboard(STARTING_HITPOINTS);
  const source = targets.leaderboardSource(`leaderboard-${entityId}`);
  const subscription = board.follow(source);
  const deadline = Date.now() + 10_000;
  while (!board.standings().some((s) => s.entityId === entityId && s.dead)) {
    if (Date.now() > deadline)
      throw new Error(`the leaderboard did not see ${entityId} die in 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await subscription.stop();
  console.log(`\nleaderboard (a subscription to ${source.name}, rebuilt from the start):`);
  for (const s of board.standings().slice(0, 5)) {
    const dead = s.dead ? ' — dead' : '';
    console.log(`  ${s.entityId}: ${s.hitpoints} hitpoints after ${s.attacks} attacks${dead}`);
  }
  console.log(`  kills: ${board.kills}`);
}
