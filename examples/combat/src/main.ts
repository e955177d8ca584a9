import { InMemoryEventStore, load, persistTo } from '@eventfan/core';
import { Combat } from './combat.js';
import { connectBrokers } from './brokers.js';
import { fight } from './fight.js';

/**
 * `npm run demo`: the seed's combat sample on the embedded in-memory store; with NATS_URL,
 * KAFKA_BROKERS or ESDB_CONNECTION_STRING set, the same events fan out to those brokers too.
 */
const store = new InMemoryEventStore();
const brokers = await connectBrokers(console.log);
try {
  console.log(
    'eventfan combat demo — targets:',
    ['in-memory store', ...brokers.dispatchers.map((d) => d.name)].join(', '),
    '\n',
  );
  await fight(
    store,
    [persistTo(store, { name: 'in-memory store', snapshotEvery: 3 }), ...brokers.dispatchers],
    console.log,
  );
  for (const { name, store: other } of brokers.stores) {
    const replayed = await load(Combat, other, 'ogre');
    console.log(
      `replayed from ${name}: ${JSON.stringify({ ...replayed.state, generation: replayed.generation })}`,
    );
  }
} finally {
  await brokers.close();
}
