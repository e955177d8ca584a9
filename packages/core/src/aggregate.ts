import type { DomainEvent, EventFamily } from './event.js';
import {
  AggregateFailed,
  CommandRejected,
  InvalidEvent,
  InvalidHandlerResult,
  UnknownCommand,
} from './errors.js';

/** A command: plain data with an imperative `type`, e.g. `{ type: 'Attack', entityId, damage }`. */
export interface Command<T extends string = string> {
  readonly type: T;
}

/** What a handler returns to refuse a command. */
export interface Rejection {
  readonly rejected: string;
}

/** Refuses a command with a reason; the command handler turns it into CommandRejected. */
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
 * Runs the command's handler. Returns the events (possibly none); throws UnknownCommand,
 * CommandRejected, AggregateFailed (the handler threw) or InvalidHandlerResult. Pure: no
 * generation changes, no I/O.
 */
export function decide<S, C extends Command, E extends DomainEvent>(
  aggregate: Aggregate<S, C, E>,
  current: Versioned<S>,
  command: C,
): readonly E[] {
  const type = (command as Partial<Command> | null)?.type;
  type Handler = (state: Readonly<S>, command: C) => unknown;
  const handlers = aggregate.handle as unknown as Record<string, Handler | undefined>;
  const handler =
    typeof type === 'string' && Object.hasOwn(handlers, type) ? handlers[type] : undefined;
  if (!handler || type === undefined) {
    throw new UnknownCommand(aggregate.name, String(type), Object.keys(aggregate.handle));
  }
  let result: unknown;
  try {
    result = handler(current.state, command);
  } catch (error) {
    throw new AggregateFailed(
      'handle',
      { aggregate: aggregate.name, stream: current.stream, command: type },
      error,
    );
  }
  if (isRejection(result)) {
    throw new CommandRejected(current.stream, current.generation, type, result.rejected);
  }
  const events = Array.isArray(result) ? (result as unknown[]) : [result];
  for (const event of events) {
    const problem = notAnEvent(event);
    if (problem) {
      const got = Array.isArray(result) ? `an array holding ${problem}` : problem;
      throw new InvalidHandlerResult(aggregate.name, current.stream, type, got);
    }
  }
  return events as E[];
}

/**
 * Applies one event and moves the generation on by one: the user never writes the generation.
 * Throws InvalidEvent for an event the aggregate has no applier for, AggregateFailed when the
 * applier throws; `command` names the command being handled, if any, in that error.
 */
export function evolve<S, C extends Command, E extends DomainEvent>(
  aggregate: Aggregate<S, C, E>,
  current: Versioned<S>,
  event: E,
  command?: string,
): Versioned<S> {
  const generation = current.generation + 1;
  const site = { stream: current.stream, generation, event: event.type };
  const apply = applierOf(aggregate, site);
  let state: S;
  try {
    state = apply(current.state, event.data);
  } catch (error) {
    throw applyFailed(aggregate, command === undefined ? site : { ...site, command }, error);
  }
  return { id: current.id, stream: current.stream, generation, state };
}

/** One event's applier: the aggregate's function for an event type, data in, new state out. */
export type Applier<S> = (state: Readonly<S>, data: unknown) => S;

/** Where an event is applied: the generation it makes, and the command being handled, if any. */
export interface ApplySite {
  readonly stream: string;
  readonly generation: number;
  /** The event's short name. */
  readonly event: string;
  readonly command?: string;
}

/**
 * The applier of `site.event`, for loops that apply many events without a Versioned per event
 * (replay); InvalidEvent when the aggregate has none.
 */
export function applierOf<S, C extends Command, E extends DomainEvent>(
  aggregate: Aggregate<S, C, E>,
  site: ApplySite,
): Applier<S> {
  const appliers = aggregate.apply as Record<string, Applier<S> | undefined>;
  const apply = Object.hasOwn(appliers, site.event) ? appliers[site.event] : undefined;
  if (!apply) {
    throw new InvalidEvent(
      `aggregate "${aggregate.name}" cannot apply unknown event "${site.event}"`,
      { stream: site.stream, generation: site.generation },
    );
  }
  return apply;
}

/** The error for an applier that threw at `site`. */
export function applyFailed<S, C extends Command, E extends DomainEvent>(
  aggregate: Aggregate<S, C, E>,
  site: ApplySite,
  error: unknown,
): AggregateFailed {
  return new AggregateFailed('apply', { ...site, aggregate: aggregate.name }, error);
}

function isRejection(value: unknown): value is Rejection {
  return (
    typeof value === 'object' && value !== null && typeof (value as Rejection).rejected === 'string'
  );
}

/** Why a handler's return value is not an event, or undefined when it is one. */
function notAnEvent(value: unknown): string | undefined {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== 'object') return `a ${typeof value} (${String(value).slice(0, 40)})`;
  if (typeof (value as { then?: unknown }).then === 'function') {
    return 'a Promise (handlers are synchronous: do the I/O before handling the command)';
  }
  if (typeof (value as { type?: unknown }).type !== 'string')
    return 'an object without a string `type`';
  return undefined;
}
