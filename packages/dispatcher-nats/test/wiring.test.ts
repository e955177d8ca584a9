// The README's wiring example, run against the test broker: persist to the store and publish to
// NATS from one aggregate.
import {
  InMemoryEventStore,
  defineAggregate,
  defineEvents,
  dispatch,
  load,
  payload,
  persistTo,
  reject,
  type EventOf,
} from '@eventfan/core';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { connect, headers } from 'nats';
import { expect, it } from 'vitest';
import { ensureStream, natsDispatcher } from '../src/index.js';
import { decodeWithSdk, readSubject } from './support.js';

const CombatEvent = defineEvents(
  'CombatEvent',
  { version: '1.0', source: 'events://github.com/pholactery/eventsourcing/samples/combat' },
  { EntityAttacked: payload<{ entityId: string; damage: number }>() },
);
type CombatEvent = EventOf<typeof CombatEvent>;

const Combat = defineAggregate<
  { hitpoints: number },
  { type: 'Attack'; damage: number },
  CombatEvent
>({
  name: 'combat',
  events: CombatEvent,
  initialState: () => ({ hitpoints: 900 }),
  handle: {
    Attack: (state, { damage }) =>
      state.hitpoints === 0
        ? reject('already dead')
        : CombatEvent.event('EntityAttacked', { entityId: 'ogre', damage }),
  },
  apply: {
    EntityAttacked: (state, { damage }) => ({ hitpoints: Math.max(0, state.hitpoints - damage) }),
  },
});

describeWithBroker('nats', 'README wiring example', (broker) => {
  it('given a store and a NATS dispatcher, when a command is dispatched, then the event is stored and published to events.combat.<stream>', async () => {
    const nc = await connect({ servers: broker.url });
    try {
      await ensureStream(nc, { name: 'EVENTS', subjects: ['events.>'] });
      const store = new InMemoryEventStore();
      const targets = [persistTo(store), natsDispatcher({ connection: nc, headers })];

      const ogre = await load(Combat, store, 'ogre');
      const { state, receipts } = await dispatch(
        Combat,
        ogre,
        { type: 'Attack', damage: 150 },
        targets,
      );

      expect(state.state.hitpoints).toBe(750);
      expect(receipts.map((r) => r.target)).toEqual(['store', 'nats']);
      const published = await readSubject(nc, 'EVENTS', `events.combat.${ogre.stream}`, 1);
      expect(published.map((m) => decodeWithSdk(m).data)).toEqual([
        { entityId: 'ogre', damage: 150 },
      ]);
      expect((await load(Combat, store, 'ogre')).generation).toBe(1);
    } finally {
      await nc.close();
    }
  });
});
