/**
 * Every error eventfan throws on purpose. Each carries a stable `code` and the names a caller needs
 * to act on it (stream, generation, target), and its message says what to do. `retriable` says
 * whether sending the same events again can succeed.
 */
export class EventfanError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  constructor(code: string, message: string, options?: { cause?: unknown; retriable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options?.retriable ?? false;
    this.name = new.target.name;
  }
}

/** The aggregate refused the command: a business rule, not a fault. Nothing was stored. */
export class CommandRejected extends EventfanError {
  constructor(
    readonly stream: string,
    readonly generation: number,
    readonly command: string,
    readonly reason: string,
  ) {
    super(
      'COMMAND_REJECTED',
      `Command "${command}" was rejected for stream "${stream}" at generation ${generation}: ${reason}`,
    );
  }
}

/** The aggregate has no handler for this command type. */
export class UnknownCommand extends EventfanError {
  constructor(
    readonly aggregate: string,
    readonly command: string,
    readonly known: readonly string[],
  ) {
    super(
      'UNKNOWN_COMMAND',
      `Aggregate "${aggregate}" has no handler for command "${command}"; it handles: ${known.join(', ') || '(none)'}`,
    );
  }
}

/** Where in an aggregate's code something failed: its command handler, or an event's applier. */
export interface AggregateSite {
  readonly aggregate: string;
  readonly stream: string;
  /** The command being handled, when there was one (not during a replay). */
  readonly command?: string;
  /** The event being applied, and the generation it would have made. */
  readonly event?: string;
  readonly generation?: number;
}

/** The aggregate's own code threw: a handler (`phase: 'handle'`) or an applier (`'apply'`). */
export class AggregateFailed extends EventfanError {
  readonly aggregate: string;
  readonly stream: string;
  readonly command: string | undefined;
  readonly event: string | undefined;
  readonly generation: number | undefined;
  constructor(
    readonly phase: 'handle' | 'apply',
    site: AggregateSite,
    cause: unknown,
  ) {
    const what =
      phase === 'handle'
        ? `the handler of command "${site.command}"`
        : `the applier of event "${site.event}" (generation ${site.generation}${site.command ? `, command "${site.command}"` : ', replay'})`;
    super(
      'AGGREGATE_FAILED',
      `Aggregate "${site.aggregate}", stream "${site.stream}": ${what} threw: ${describeCause(cause)}. Nothing was stored.`,
      { cause },
    );
    this.aggregate = site.aggregate;
    this.stream = site.stream;
    this.command = site.command;
    this.event = site.event;
    this.generation = site.generation;
  }
}

/** A command handler returned something that is not an event, an array of events or reject(). */
export class InvalidHandlerResult extends EventfanError {
  constructor(
    readonly aggregate: string,
    readonly stream: string,
    readonly command: string,
    readonly got: string,
  ) {
    super(
      'INVALID_HANDLER_RESULT',
      `Aggregate "${aggregate}", stream "${stream}": the handler of command "${command}" returned ${got}; it must return an event ({ type, data }), an array of events, or reject(reason). Nothing was stored.`,
    );
  }
}

/** Someone else wrote to the stream first: reload the state and handle the command again. */
export class ConcurrencyConflict extends EventfanError {
  constructor(
    readonly stream: string,
    readonly expectedGeneration: number,
    readonly actualGeneration: number | undefined,
    readonly target?: string,
  ) {
    const actual = actualGeneration === undefined ? 'unknown' : String(actualGeneration);
    super(
      'CONCURRENCY_CONFLICT',
      `Concurrency conflict on stream "${stream}"${target ? ` at "${target}"` : ''}: expected generation ${expectedGeneration}, actual ${actual}. Reload the aggregate and handle the command again.`,
    );
  }
}

/** Where an invalid event sits: its stream, generation, type, the path inside it, the target. */
export interface InvalidEventSite {
  readonly stream?: string;
  readonly generation?: number;
  readonly type?: string;
  readonly path?: string;
  /** The store or publisher that refused it. */
  readonly target?: string;
}

/** An event cannot be stored or published as it is: schema, non-JSON data, names, a broker limit. */
export class InvalidEvent extends EventfanError {
  constructor(
    readonly reason: string,
    readonly where: InvalidEventSite = {},
  ) {
    const at = [
      where.target !== undefined ? `target "${where.target}"` : undefined,
      where.stream !== undefined ? `stream "${where.stream}"` : undefined,
      where.generation !== undefined ? `generation ${where.generation}` : undefined,
      where.type !== undefined ? `event "${where.type}"` : undefined,
      where.path !== undefined ? `at ${where.path}` : undefined,
    ].filter(Boolean);
    super('INVALID_EVENT', `Invalid event${at.length ? ` (${at.join(', ')})` : ''}: ${reason}`);
  }
}

/** The broker could not be reached or did not answer in time: a retry may succeed. */
export class BrokerUnavailable extends EventfanError {
  constructor(
    readonly target: string,
    readonly detail: string,
    options?: { cause?: unknown; timedOut?: boolean },
  ) {
    super(
      options?.timedOut ? 'BROKER_TIMEOUT' : 'BROKER_UNAVAILABLE',
      `Target "${target}" ${options?.timedOut ? 'timed out' : 'is unavailable'}: ${detail}`,
      { cause: options?.cause, retriable: true },
    );
  }
}

/** The store or publisher was closed before the call: nothing was sent. */
export class TargetClosed extends EventfanError {
  constructor(readonly target: string) {
    super('TARGET_CLOSED', `Target "${target}" is closed; nothing was sent to it`);
  }
}

/** The caller's AbortSignal fired before the events were sent: nothing was stored or sent. */
export class OperationAborted extends EventfanError {
  constructor(
    readonly target: string,
    readonly stream: string,
    reason: unknown,
  ) {
    super(
      'ABORTED',
      `Aborted before "${target}" took the events of stream "${stream}": ${describeCause(reason)}`,
      { cause: reason },
    );
  }
}

/**
 * A target took only part of a batch. `delivered` says which envelopes the broker acknowledged;
 * the others (`undelivered`, by id) were not, and a retry re-sends them with the same ids.
 */
export class DispatchIncomplete extends EventfanError {
  constructor(
    readonly target: string,
    readonly stream: string,
    readonly delivered: readonly { readonly id: string; readonly generation: number }[],
    readonly undelivered: readonly string[],
    cause: unknown,
  ) {
    super(
      'DISPATCH_INCOMPLETE',
      `Target "${target}" acknowledged ${delivered.length} of ${delivered.length + undelivered.length} events of stream "${stream}"; ${undelivered.length} not delivered: ${describeCause(cause)}`,
      { cause, retriable: isRetriable(cause) },
    );
  }
}

/**
 * Whether sending the same events again may succeed: eventfan's errors say so themselves; an
 * error from elsewhere is unknown, so it may.
 */
export function isRetriable(error: unknown): boolean {
  return error instanceof EventfanError ? error.retriable : true;
}

/** A short text for any thrown value, for messages that wrap it. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message || cause.name;
  return String(cause);
}
