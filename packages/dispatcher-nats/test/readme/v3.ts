import {
  commandHandler,
  defineAggregate,
  defineEvents,
  InMemoryEventStore,
  payload,
  type EventOf,
} from '@eventfan/core';
import { ensureStream, natsPublisher } from '@eventfan/dispatcher-nats';
import { connect, headers } from '@nats-io/transport-node';

const CounterEvent = defineEvents(
  'CounterEvent',
  { version: '1.0', source: 'events://example.com/counters' },
  { Incremented: payload<{ by: number }>() },
);

const Counter = defineAggregate<
  { value: number },
  { type: 'Increment'; by: number },
  EventOf<typeof CounterEvent>
>({
  name: 'counter',
  events: CounterEvent,
  initialState: () => ({ value: 0 }),
  handle: { Increment: (_state, { by }) => CounterEvent.event('Incremented', { by }) },
  apply: { Incremented: (state, { by }) => ({ value: state.value + by }) },
});

const nc = await connect({ servers: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' });
await ensureStream(nc, { name: 'COUNTERS', subjects: ['counters.>'] });
// The publisher speaks JetStream's publish protocol itself: no JetStream client to pass.
const nats = natsPublisher({ connection: nc, headers, prefix: 'counters' });
const counters = commandHandler({
  aggregate: Counter,
  store: new InMemoryEventStore(),
  publishers: [nats],
});

await counters.handle('visits', { type: 'Increment', by: 1 });

await nats.close();
await nc.close();
