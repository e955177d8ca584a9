import type { DomainEvent, EventFamily } from './event.js';
import { CommandRejected, InvalidEvent, UnknownCommand } from './errors.js';

/** A command: plain data with an imperative `type`, e.g. `{ type: 'Attack', entityId, damage }`. */
export interface Command<T extends string = string> {
  readonly type: T;
}

/** What a handler returns to refuse a command. */
export interface Rejection {
  readonly rejected: string;
}

/** Refuses a command with a reason; `dispatch` turns it into CommandRejected. */
export function reject(reason: string): Rejection {
  return { rejected: reason };
}

/** The state of one aggregate instance, with the generation core manages for it. */
export interface Versioned<S> {
  readonly id: string;
  readonly stream: string;
  /** How many events have been applied: the optimistic-concurrency token. */
  readonly generation: number;
  readonly state: S;
}

export type Handlers<S, C extends Command, E extends DomainEvent> = {
  readonly [K in C['type']]: (
    state: Readonly<S>,
    command: Extract<C, { type: K }>,
  ) => E | readonly E[] | Rejection;
};

export type Appliers<S, E extends DomainEvent> = {
  readonly [K in E['type']]: (state: Readonly<S>, data: Extract<E, { type: K }>['data']) => S;
};

/** A stateless aggregate: pure functions, no I/O. */
export interface Aggregate<S, C extends Command, E extends DomainEvent> {
  /** Short lower-case name, e.g. `combat`; used in stream names, topics and subjects. */
  readonly name: string;
  readonly events: EventFamily<E>;
  /** The state of an instance no event has touched yet. */
  initialState(id: string): S;
  /** The stream of an instance; `<name>-<id>` unless the definition says otherwise. */
  streamOf(id: string): string;
  readonly handle: Handlers<S, C, E>;
  readonly apply: Appliers<S, E>;
}

export interface AggregateDefinition<S, C extends Command, E extends DomainEvent> {
  readonly name: string;
  readonly events: EventFamily<E>;
  readonly initialState: (id: string) => S;
  readonly streamOf?: (id: string) => string;
  readonly handle: Handlers<S, C, E>;
  readonly apply: Appliers<S, E>;
}

const AGGREGATE_NAME = /^[a-z][a-z0-9_-]*$/;

/** Checks and completes an aggregate definition. Command types come from `handle`'s keys. */
export function defineAggregate<S, C extends Command, E extends DomainEvent>(
  definition: AggregateDefinition<S, C, E>,
): Aggregate<S, C, E> {
  if (!AGGREGATE_NAME.test(definition.name)) {
    throw new TypeError(`aggregate name "${definition.name}" must match ${AGGREGATE_NAME}`);
  }
  const missing = definition.events.names.filter((n) => typeof definition.apply[n] !== 'function');
  if (missing.length > 0) {
    throw new TypeError(`aggregate "${definition.name}" has no apply for: ${missing.join(', ')}`);
  }
  const name = definition.name;
  return {
    ...definition,
    streamOf: definition.streamOf ?? ((id) => `${name}-${id}`),
  };
}

/** A new instance at generation 0. */
export function initial<S, C extends Command, E extends DomainEvent>(
  aggregate: Aggregate<S, C, E>,
  id: string,
): Versioned<S> {
  if (typeof id !== 'string' || id.trim() === '') {
    throw new InvalidEvent(
      `aggregate "${aggregate.name}" needs a non-empty id, got ${JSON.stringify(id)}`,
    );
  }
  return { id, stream: aggregate.streamOf(id), generation: 0, state: aggregate.initialState(id) };
}

/**
 * Runs the command's handler. Returns the events (possibly none); throws UnknownCommand or
 * CommandRejected. Pure: no generation changes, no I/O.
 */
export function decide<S, C extends Command, E extends DomainEvent>(
  aggregate: Aggregate<S, C, E>,
  current: Versioned<S>,
  command: C,
): readonly E[] {
  const type = (command as Partial<Command> | null)?.type;
  type Handler = (state: Readonly<S>, command: C) => E | readonly E[] | Rejection;
  const handlers = aggregate.handle as unknown as Record<string, Handler | undefined>;
  const handler =
    typeof type === 'string' && Object.hasOwn(handlers, type) ? handlers[type] : undefined;
  if (!handler) {
    throw new UnknownCommand(aggregate.name, String(type), Object.keys(aggregate.handle));
  }
  const result = handler(current.state, command);
  if (isRejection(result)) {
    throw new CommandRejected(current.stream, current.generation, type as string, result.rejected);
  }
  return Array.isArray(result) ? (result as readonly E[]) : [result as E];
}

/** Applies one event and moves the generation on by one: the user never writes the generation. */
export function evolve<S, C extends Command, E extends DomainEvent>(
  aggregate: Aggregate<S, C, E>,
  current: Versioned<S>,
  event: E,
): Versioned<S> {
  const appliers = aggregate.apply as Record<
    string,
    ((s: Readonly<S>, d: unknown) => S) | undefined
  >;
  const apply = Object.hasOwn(appliers, event.type) ? appliers[event.type] : undefined;
  if (!apply) {
    throw new InvalidEvent(
      `aggregate "${aggregate.name}" cannot apply unknown event "${event.type}"`,
      {
        stream: current.stream,
        generation: current.generation + 1,
      },
    );
  }
  return {
    ...current,
    generation: current.generation + 1,
    state: apply(current.state, event.data),
  };
}

function isRejection(value: unknown): value is Rejection {
  return (
    typeof value === 'object' && value !== null && typeof (value as Rejection).rejected === 'string'
  );
}
