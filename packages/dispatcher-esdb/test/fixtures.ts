import { randomUUID } from 'node:crypto';
import { defineAggregate, defineEvents, payload, reject } from '@eventfan/core';
import type { EventOf } from '@eventfan/core';

/** The events of the counter below. */
export const CounterEvent = defineEvents(
  'CounterEvent',
  { version: '1.0', source: 'events://eventfan.test/counter' },
  {
    Bumped: payload<{ by: number; note: string }>(),
    Sealed: payload(),
  },
);
type CounterEvent = EventOf<typeof CounterEvent>;

export type CounterCommand =
  | { type: 'Bump'; by: number; note?: string }
  | { type: 'BumpTwice'; by: number }
  | { type: 'Seal' };

type Total = { total: number; sealed: boolean };

/** The counter under a name of the caller's, for reads of the log that must see only one test's. */
export const counterNamed = (name: string) =>
  defineAggregate<Total, CounterCommand, CounterEvent>({
    name,
    events: CounterEvent,
    initialState: () => ({ total: 0, sealed: false }),
    handle: {
      Bump: (s, { by, note }) =>
        s.sealed ? reject('sealed') : CounterEvent.event('Bumped', { by, note: note ?? '' }),
      BumpTwice: (s, { by }) =>
        s.sealed
          ? reject('sealed')
          : [
              CounterEvent.event('Bumped', { by, note: '' }),
              CounterEvent.event('Bumped', { by, note: '' }),
            ],
      Seal: () => CounterEvent.event('Sealed', null),
    },
    apply: {
      Bumped: (s, { by }) => ({ ...s, total: s.total + by }),
      Sealed: (s) => ({ ...s, sealed: true }),
    },
  });

/** A small aggregate for these tests: a counter that can be bumped until it is sealed. */
export const Counter = counterNamed('counter');

/** A counter id nobody else uses in this run. */
export const freshId = () => randomUUID().slice(0, 8);
