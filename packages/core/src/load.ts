import type { Aggregate, Applier, Command, Versioned } from './aggregate.js';
import { applierOf, applyFailed, initial } from './aggregate.js';
import type { Envelope } from './envelope.js';
import type { DomainEvent } from './event.js';
import { InvalidEvent } from './errors.js';
import type { EventStore } from './store.js';

/** A loaded instance, and the stored envelopes of one command among those replayed. */
export interface Loaded<S> {
  readonly current: Versioned<S>;
  /** The envelopes whose `metadata.commandId` is the one asked for (none when not asked). */
  readonly ofCommand: readonly Envelope[];
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
  return (await replay(aggregate, store, id, undefined)).current;
}

/** `load`, noting on the way the envelopes that command `commandId` stored. */
export async function replay<S, C extends Command, E extends DomainEvent>(
  aggregate: Aggregate<S, C, E>,
  store: EventStore,
  id: string,
  commandId: string | undefined,
): Promise<Loaded<S>> {
  let current = initial(aggregate, id);
  const snapshot = await store.readSnapshot?.(current.stream);
  if (snapshot) {
    current = { ...current, generation: snapshot.generation, state: snapshot.state as S };
  }
  const { stream } = current;
  // One Versioned at the end rather than one per event: the loop keeps generation and state.
  let { generation, state } = current;
  const ofCommand: Envelope[] = [];
  // The last external type met, resolved: a run of events of one type looks it up once.
  let known:
    { readonly type: string; readonly event: E['type']; readonly apply: Applier<S> } | undefined;
  for await (const page of store.read(stream, generation + 1)) {
    for (const envelope of page) {
      if (envelope.generation !== generation + 1) {
        throw new InvalidEvent(
          `replay expected generation ${generation + 1}, the store returned ${envelope.generation}`,
          { stream, generation: envelope.generation, type: envelope.type },
        );
      }
      if (known === undefined || envelope.type !== known.type) {
        const event = aggregate.events.nameOf(envelope.type);
        if (event === undefined) {
          throw new InvalidEvent(
            `aggregate "${aggregate.name}" has no event of type "${envelope.type}"`,
            { stream, generation: envelope.generation, type: envelope.type },
          );
        }
        const apply = applierOf(aggregate, { stream, generation: generation + 1, event });
        known = { type: envelope.type, event, apply };
      }
      const data = aggregate.events.upcast(known.event, envelope.version, envelope.data);
      try {
        state = known.apply(state, data);
      } catch (error) {
        throw applyFailed(
          aggregate,
          { stream, generation: generation + 1, event: known.event },
          error,
        );
      }
      generation++;
      if (commandId !== undefined && envelope.metadata.commandId === commandId) {
        ofCommand.push(envelope);
      }
    }
  }
  current = { ...current, generation, state };
  return { current, ofCommand };
}
