import type { Aggregate, Command, Versioned } from './aggregate.js';
import { evolve, initial } from './aggregate.js';
import type { Dispatcher, EventReceipt, Receipt } from './dispatcher.js';
import type { Envelope } from './envelope.js';
import type { DomainEvent } from './event.js';
import { EventfanError, InvalidEvent } from './errors.js';

/** A saved state, so `load` need not replay a long stream from its first event. */
export interface Snapshot<S = unknown> {
  readonly stream: string;
  readonly generation: number;
  readonly state: S;
  readonly time: string;
}

export interface AppendResult {
  /** The stream's generation after the append. */
  readonly generation: number;
  readonly events: readonly EventReceipt[];
}

/** Where events are kept and replayed from. The in-memory store and the ESDB store implement it. */
export interface EventStore {
  /**
   * Appends atomically if the stream is at `expectedGeneration` (0 = no stream yet), else throws
   * ConcurrencyConflict. Appending the same ids at the same generations again is a no-op whose
   * receipts say `duplicate`.
   */
  append(
    stream: string,
    envelopes: readonly Envelope[],
    expectedGeneration: number,
  ): Promise<AppendResult>;
  /** The stream's envelopes from generation `from` (default 1), in order; a missing stream yields none. */
  read(stream: string, from?: number): AsyncIterable<Envelope>;
  readSnapshot?(stream: string): Promise<Snapshot | undefined>;
  writeSnapshot?(stream: string, snapshot: Snapshot): Promise<void>;
}

/**
 * Rebuilds an instance: from its latest snapshot (if the store keeps them) and then every later event.
 * Throws InvalidEvent when the stream holds an event the aggregate does not know or has a gap.
 */
export async function load<S, C extends Command, E extends DomainEvent>(
  aggregate: Aggregate<S, C, E>,
  store: EventStore,
  id: string,
): Promise<Versioned<S>> {
  let current = initial(aggregate, id);
  const snapshot = await store.readSnapshot?.(current.stream);
  if (snapshot)
    current = { ...current, generation: snapshot.generation, state: snapshot.state as S };
  for await (const envelope of store.read(current.stream, current.generation + 1)) {
    const where = { stream: current.stream, generation: envelope.generation, type: envelope.type };
    if (envelope.generation !== current.generation + 1) {
      throw new InvalidEvent(
        `replay expected generation ${current.generation + 1}, the store returned ${envelope.generation}`,
        where,
      );
    }
    const type = aggregate.events.nameOf(envelope.type);
    if (type === undefined) {
      throw new InvalidEvent(
        `aggregate "${aggregate.name}" has no event of type "${envelope.type}"`,
        where,
      );
    }
    current = evolve(aggregate, current, { type, data: envelope.data } as E);
  }
  return current;
}

export interface PersistOptions {
  /** The target's name in receipts; default `store`. */
  readonly name?: string;
  /** Save a snapshot each time the generation passes a multiple of this (0 or absent: never). */
  readonly snapshotEvery?: number;
}

/**
 * A `store` dispatcher that appends to an event store with the expected generation, and snapshots
 * every N events when asked. A snapshot that cannot be written fails the target, so a retry (a
 * duplicate append, then the snapshot again) repairs it.
 */
export function persistTo(store: EventStore, options: PersistOptions = {}): Dispatcher {
  const name = options.name ?? 'store';
  const every = options.snapshotEvery ?? 0;
  if (!Number.isInteger(every) || every < 0) {
    throw new TypeError(`snapshotEvery must be a whole number >= 0, got ${every}`);
  }
  return {
    name,
    role: 'store',
    async dispatch(envelopes, context): Promise<Receipt> {
      const appended = await store.append(context.stream, envelopes, context.expectedGeneration);
      const state = context.state as Versioned<unknown> | undefined;
      const crossed =
        every > 0 &&
        Math.floor(appended.generation / every) > Math.floor(context.expectedGeneration / every);
      if (crossed && store.writeSnapshot && state?.generation === appended.generation) {
        const snapshot = {
          stream: context.stream,
          generation: state.generation,
          state: state.state,
          time: new Date().toISOString(),
        };
        try {
          await store.writeSnapshot(context.stream, snapshot);
        } catch (error) {
          throw new EventfanError(
            'SNAPSHOT_FAILED',
            `Events of stream "${context.stream}" were stored, but the snapshot at generation ${state.generation} was not: retry to write it`,
            { cause: error },
          );
        }
      }
      return { target: name, events: appended.events };
    },
  };
}
