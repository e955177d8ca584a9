import {
  commandHandler,
  defineAggregate,
  defineEvents,
  InMemoryEventStore,
  payload,
  reject,
  type EventOf,
} from '@eventfan/core';
import { ensureStream, natsPublisher } from '@eventfan/dispatcher-nats';
import { connect, headers } from 'nats';

const CombatEvent = defineEvents(
  'CombatEvent',
  { version: '1.0', source: 'events://github.com/pholactery/eventsourcing/samples/combat' },
  { EntityAttacked: payload<{ entityId: string; damage: number }>() },
);
type CombatEvent = EventOf<typeof CombatEvent>;

const Combat = defineAggregate<
  { hitpoints: number },
  { type: 'Attack'; entityId: string; damage: number },
  CombatEvent
>({
  name: 'combat',
  events: CombatEvent,
  initialState: () => ({ hitpoints: 900 }),
  handle: {
    Attack: (state, { entityId, damage }) =>
      state.hitpoints === 0
        ? reject('already dead')
        : CombatEvent.event('EntityAttacked', { entityId, damage }),
  },
  apply: {
    EntityAttacked: (state, { damage }) => ({ hitpoints: Math.max(0, state.hitpoints - damage) }),
  },
});

const nc = await connect({ servers: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' });
// The JetStream stream that captures `events.<aggregate>.<stream>`; made once, verified after.
await ensureStream(nc, { name: 'EVENTS', subjects: ['events.>'] });
const nats = natsPublisher({ connection: nc, headers });
const combat = commandHandler({
  aggregate: Combat,
  store: new InMemoryEventStore(), // or esdbEventStore(…) from @eventfan/dispatcher-esdb
  publishers: [nats],
});

const { state, receipts } = await combat.handle(
  'ogre',
  { type: 'Attack', entityId: 'ogre', damage: 150 },
  { commandId: 'attack-ogre-1' }, // your idempotency key: the same command again is a duplicate
);
console.log(state.state.hitpoints); // 750
console.log(receipts[1]?.events[0]?.position); // { stream: 'EVENTS', sequence: 1, subject: 'events.combat.combat-ogre' }

await nats.close(); // lets in-flight publishes finish
await nc.close(); // the connection is yours: the publisher never closes it
