import {
  commandHandler,
  defineAggregate,
  defineEvents,
  InMemoryEventStore,
  payload,
  type EventOf,
} from '@eventfan/core';
import { kafkaPublisher } from '@eventfan/dispatcher-kafka';
import { Kafka, Partitioners } from 'kafkajs';

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

const brokers = (process.env['KAFKA_BROKERS'] ?? 'localhost:9092').split(',');
const producer = new Kafka({ clientId: 'door-service', brokers }).producer({
  idempotent: true, // kafkajs's retries neither duplicate nor reorder a request
  maxInFlightRequests: 1, // kafkajs requires 1 for idempotence
  createPartitioner: Partitioners.DefaultPartitioner, // Java's murmur2: keys map as in Java clients
});
await producer.connect();
const kafka = kafkaPublisher({
  producer, // yours: the publisher never connects, replaces or disconnects it
  topic: (e) => `prod.${e.aggregate}`, // default: e.aggregate
  encoding: 'structured', // the whole CloudEvent as application/cloudevents+json
});
const doors = commandHandler({
  aggregate: Door,
  store: new InMemoryEventStore(),
  publishers: [kafka],
});

await doors.handle('front', { type: 'Open', by: 'alice' });

await kafka.close();
await producer.disconnect();
