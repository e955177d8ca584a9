import {
  commandHandler,
  defineAggregate,
  defineEvents,
  InMemoryEventStore,
  payload,
  reject,
  type EventOf,
} from '@eventfan/core';
import { kafkaPublisher } from '@eventfan/dispatcher-kafka';

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

const brokers = (process.env['KAFKA_BROKERS'] ?? 'localhost:9092').split(',');
// Builds, connects (on the first publish) and disconnects its own idempotent producer.
const kafka = kafkaPublisher({ kafka: { clientId: 'combat-service', brokers } });
const combat = commandHandler({
  aggregate: Combat,
  store: new InMemoryEventStore(), // or esdbEventStore(…) from @eventfan/dispatcher-esdb
  publishers: [kafka],
});

const { state, receipts } = await combat.handle(
  'ogre',
  { type: 'Attack', entityId: 'ogre', damage: 150 },
  { commandId: 'attack-ogre-1' }, // your idempotency key: the same command again is a duplicate
);
console.log(state.state.hitpoints); // 750
console.log(receipts[1]?.events[0]?.position); // { topic: 'combat', partition: 0, offset: '0' }

await kafka.close(); // lets publishes in flight finish (up to timeoutMs), then disconnects
