import {
  commandHandler,
  defineAggregate,
  defineEvents,
  InMemoryEventStore,
  payload,
  type EventOf,
} from '@eventfan/core';
import { coreNatsPublisher } from '@eventfan/dispatcher-nats';
import { connect, headers } from 'nats';

const DoorEvent = defineEvents(
  'DoorEvent',
  { version: '1.0', source: 'events://example.com/doors' },
  { DoorOpened: payload<{ by: string }>() },
);

const Door = defineAggregate<
  { open: boolean },
  { type: 'Open'; by: string },
  EventOf<typeof DoorEvent>
>({
  name: 'door',
  events: DoorEvent,
  initialState: () => ({ open: false }),
  handle: { Open: (_state, { by }) => DoorEvent.event('DoorOpened', { by }) },
  apply: { DoorOpened: () => ({ open: true }) },
});

const nc = await connect({ servers: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' });
// Subscribers listening now get `events.door.door-front`; nobody else ever will (at most once).
const notifications = coreNatsPublisher({ connection: nc, headers });
const doors = commandHandler({
  aggregate: Door,
  store: new InMemoryEventStore(),
  publishers: [notifications],
});

await doors.handle('front', { type: 'Open', by: 'alice' });

await notifications.close(); // flushes what was published
await nc.close();
