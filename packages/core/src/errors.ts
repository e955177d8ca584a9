/**
 * Every error eventfan throws on purpose. Each carries a stable `code` and the names a caller needs
 * to act on it (stream, generation, target), and its message says what to do.
 */
export class EventfanError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The aggregate refused the command: a business rule, not a fault. Nothing was dispatched. */
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
      `Concurrency conflict on stream "${stream}"${target ? ` at "${target}"` : ''}: expected generation ${expectedGeneration}, actual ${actual}. Reload the aggregate and retry the command.`,
    );
  }
}

/** An event (or its data) cannot be dispatched: schema failure, non-JSON data, bad names. */
export class InvalidEvent extends EventfanError {
  constructor(
    readonly reason: string,
    readonly where: { stream?: string; generation?: number; type?: string; path?: string } = {},
  ) {
    const at = [
      where.stream !== undefined ? `stream "${where.stream}"` : undefined,
      where.generation !== undefined ? `generation ${where.generation}` : undefined,
      where.type !== undefined ? `event "${where.type}"` : undefined,
      where.path !== undefined ? `at ${where.path}` : undefined,
    ].filter(Boolean);
    super('INVALID_EVENT', `Invalid event${at.length ? ` (${at.join(', ')})` : ''}: ${reason}`);
  }
}

/** The broker could not be reached or did not answer in time. */
export class BrokerUnavailable extends EventfanError {
  constructor(
    readonly target: string,
    readonly detail: string,
    options?: { cause?: unknown; timedOut?: boolean },
  ) {
    super(
      options?.timedOut ? 'BROKER_TIMEOUT' : 'BROKER_UNAVAILABLE',
      `Target "${target}" ${options?.timedOut ? 'timed out' : 'is unavailable'}: ${detail}`,
      options,
    );
  }
}

/**
 * A dispatcher sent only part of a batch. `delivered` says which envelopes the broker acknowledged;
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
      { cause },
    );
  }
}

/** A short text for any thrown value, for messages that wrap it. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message || cause.name;
  return String(cause);
}
