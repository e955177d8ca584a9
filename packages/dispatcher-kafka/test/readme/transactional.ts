import {
  commandHandler,
  defineAggregate,
  defineEvents,
  InMemoryEventStore,
  payload,
  type EventOf,
} from '@eventfan/core';
import { kafkaPublisher } from '@eventfan/dispatcher-kafka';

const LedgerEvent = defineEvents(
  'LedgerEvent',
  { version: '1.0', source: 'events://example.com/ledger' },
  { Debited: payload<{ cents: number }>(), Credited: payload<{ cents: number }>() },
);

const Ledger = defineAggregate<
  { cents: number },
  { type: 'Transfer'; cents: number },
  EventOf<typeof LedgerEvent>
>({
  name: 'ledger',
  events: LedgerEvent,
  initialState: () => ({ cents: 0 }),
  handle: {
    Transfer: (_state, { cents }) => [
      LedgerEvent.event('Debited', { cents }),
      LedgerEvent.event('Credited', { cents }),
    ],
  },
  apply: { Debited: (s, { cents }) => ({ cents: s.cents - cents }), Credited: (s) => s },
});

const brokers = (process.env['KAFKA_BROKERS'] ?? 'localhost:9092').split(',');
const kafka = kafkaPublisher({
  kafka: { clientId: 'ledger-service', brokers },
  transactional: true,
  producerConfig: { transactionalId: 'ledger-service-1' }, // stable per instance: fences zombies
  // Each event type to its own topic: the transaction covers both.
  topic: (e) => `ledger.${e.type.split('.').pop()}`,
});
const ledger = commandHandler({
  aggregate: Ledger,
  store: new InMemoryEventStore(),
  publishers: [kafka],
});

await ledger.handle('acct-7', { type: 'Transfer', cents: 500 });

await kafka.close();
