import { commandHandler } from '@eventfan/core';
import { Combat } from './combat.js';
import { connectTargets } from './brokers.js';
import { fight } from './fight.js';

/**
 * `npm run demo`: the seed's combat sample on the embedded in-memory store and two in-memory
 * publishers; with ESDB_CONNECTION_STRING, KAFKA_BROKERS or NATS_URL set, on those brokers.
 */
const targets = await connectTargets(console.log);
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
  await fight(combat, `ogre-${Date.now().toString(36)}`, console.log);
} finally {
  await targets.close();
}
