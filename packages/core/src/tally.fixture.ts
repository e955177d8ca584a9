import { z } from 'zod';
import * as v from 'valibot';
import { defineAggregate, reject } from './aggregate.js';
import type { EventOf } from './event.js';
import { defineEvents, payload } from './event.js';

/** A small aggregate for core's own tests: a tally that can be added to until it is closed. */
export const TallyEvent = defineEvents(
  'TallyEvent',
  { version: '2.1', source: 'events://eventfan.test/tally' },
  {
    Added: z.object({ amount: z.number().int().positive(), note: z.string().optional() }),
    Tagged: v.object({ tag: v.pipe(v.string(), v.minLength(1)) }),
    Closed: payload(),
    Raw: payload<unknown>(),
  },
);
export type TallyEvent = EventOf<typeof TallyEvent>;

export type TallyCommand =
  | { type: 'Add'; amount: number; note?: string }
  | { type: 'AddTwice'; amount: number }
  | { type: 'Tag'; tag: string }
  | { type: 'Close' }
  | { type: 'Noop' }
  | { type: 'EmitRaw'; data: unknown };

export interface TallyState {
  readonly total: number;
  readonly closed: boolean;
  readonly tags: readonly string[];
}

export const Tally = defineAggregate<TallyState, TallyCommand, TallyEvent>({
  name: 'tally',
  events: TallyEvent,
  initialState: () => ({ total: 0, closed: false, tags: [] }),
  handle: {
    Add: (state, { amount, note }) =>
      state.closed
        ? reject('the tally is closed')
        : TallyEvent.event('Added', { amount, ...(note ? { note } : {}) }),
    AddTwice: (_state, { amount }) => [
      TallyEvent.event('Added', { amount }),
      TallyEvent.event('Added', { amount }),
    ],
    Tag: (_state, { tag }) => TallyEvent.event('Tagged', { tag }),
    Close: (state) => (state.closed ? reject('already closed') : TallyEvent.event('Closed', null)),
    Noop: () => [],
    EmitRaw: (_state, { data }) => TallyEvent.event('Raw', data),
  },
  apply: {
    Added: (state, { amount }) => ({ ...state, total: state.total + amount }),
    Tagged: (state, { tag }) => ({ ...state, tags: [...state.tags, tag] }),
    Closed: (state) => ({ ...state, closed: true }),
    Raw: (state) => state,
  },
});
