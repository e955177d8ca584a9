import type { Aggregate, Command, Versioned } from './aggregate.js';
import { decide, evolve } from './aggregate.js';
import type { Dispatcher, Receipt } from './dispatcher.js';
import type { Envelope } from './envelope.js';
import type { DomainEvent } from './event.js';
import type { EnvelopeOptions } from './envelopes.js';
import { toEnvelopes } from './envelopes.js';
import { deliver } from './fan-out.js';

export interface DispatchOptions extends EnvelopeOptions {
  readonly signal?: AbortSignal;
}

export interface Dispatched<S, E extends DomainEvent = DomainEvent> {
  /** The state after the command's events. */
  readonly state: Versioned<S>;
  readonly events: readonly E[];
  readonly envelopes: readonly Envelope[];
  /** One per dispatcher, stores first. */
  readonly receipts: readonly Receipt[];
}

/**
 * Handles the command, applies its events, and sends them to every dispatcher (the fan-out).
 * Throws CommandRejected / UnknownCommand / InvalidEvent before anything is sent; ConcurrencyConflict
 * when a store saw another writer first; DispatchFailed (with `retry()`) when some target failed.
 */
export async function dispatch<S, C extends Command, E extends DomainEvent>(
  aggregate: Aggregate<S, C, E>,
  current: Versioned<S>,
  command: C,
  dispatchers: readonly Dispatcher[],
  options: DispatchOptions = {},
): Promise<Dispatched<S, E>> {
  const decided = decide(aggregate, current, command);
  const { events, envelopes } = await toEnvelopes(aggregate, current, decided, options);
  let state = current;
  for (const event of events) state = evolve(aggregate, state, event);
  const complete = (receipts: readonly Receipt[]): Dispatched<S, E> => ({
    state,
    events,
    envelopes,
    receipts,
  });
  if (envelopes.length === 0) return complete([]);
  return deliver(
    envelopes,
    dispatchers,
    {
      aggregate: aggregate.name,
      stream: current.stream,
      expectedGeneration: current.generation,
      state,
      attempt: 1,
      ...(options.signal ? { signal: options.signal } : {}),
    },
    complete,
  );
}
