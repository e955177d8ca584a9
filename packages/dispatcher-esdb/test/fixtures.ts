import { randomUUID } from 'node:crypto';
import { defineAggregate, defineEvents, initial, payload, reject } from '@eventfan/core';
import type { CommandHandler, EventOf } from '@eventfan/core';

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

/**
 * Writes bumps `from`..`to` round-robin through `handler`, command `i` into stream
 * `s<i % streams>`, each stream's state carried from one command to the next (no reload per
 * command). A command that fails is tried again with its commandId for up to `retryMs`, so what a
 * lost answer wrote is not written twice; with 0, its failure is thrown at once.
 */
export function bumper(
  handler: CommandHandler<Total, CounterCommand, CounterEvent>,
  streams: number,
  retryMs = 0,
): (from: number, to: number) => Promise<void> {
  const states = Array.from({ length: streams }, (_, s) => initial(handler.aggregate, `s${s}`));
  return async (from, to) => {
    for (let i = from; i < to; i++) {
      const s = i % streams;
      const state = states[s] as (typeof states)[number];
      const commandId = `${handler.aggregate.name}-${i}`;
      for (const deadline = Date.now() + retryMs; ;) {
        try {
          states[s] = (
            await handler.handleLoaded(state, { type: 'Bump', by: 1 }, { commandId })
          ).state;
          break;
        } catch (error) {
          if (Date.now() >= deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }
  };
}

/** The generations of `stream#generation` entries, stream by stream, in the order they came. */
export function generationsByStream(entries: readonly string[]): number[][] {
  const streams = new Map<string, number[]>();
  for (const entry of entries) {
    const [stream, generation] = entry.split('#') as [string, string];
    streams.set(stream, [...(streams.get(stream) ?? []), Number(generation)]);
  }
  return [...streams.values()];
}

/** What generationsByStream gives when each of `streams` streams came whole and in order. */
export const eachInOrder = (streams: number, each: number): number[][] =>
  Array.from({ length: streams }, () => Array.from({ length: each }, (_, i) => i + 1));
