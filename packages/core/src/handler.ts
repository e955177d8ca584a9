import type { Aggregate, Command, Versioned } from './aggregate.js';
import { decide, evolve } from './aggregate.js';
import type { Envelope } from './envelope.js';
import type { EnvelopeOptions } from './envelopes.js';
import { toEnvelopes } from './envelopes.js';
import type { DomainEvent } from './event.js';
import { ConcurrencyConflict, OperationAborted } from './errors.js';
import { replay } from './load.js';
import { deliver, prepareAll } from './publish.js';
import type { Publisher, Receipt } from './publisher.js';
import type { Relay } from './relay/relay.js';
import type { EventStore } from './store.js';
import { inSpan, spanAttributes, type TraceParent } from './tracing.js';

export interface CommandHandlerOptions<S, C extends Command, E extends DomainEvent> {
  readonly aggregate: Aggregate<S, C, E>;
  /** Where the events are kept; they are published only once it has them. */
  readonly store: EventStore;
  /** Where the stored events are published (inline, in the same call); default none. */
  readonly publishers?: readonly Publisher[];
  /** Save a snapshot each time the generation passes a multiple of this; 0 (default): never. */
  readonly snapshotEvery?: number;
  /**
   * How many times `handle` reloads and decides again when another writer got to the stream
   * first; default 3. Past that, the ConcurrencyConflict reaches the caller.
   */
  readonly conflictRetries?: number;
  /**
   * `inline` (default): `handle` publishes to every publisher itself, lowest latency. `relay`:
   * `handle` only appends, and a relay publishes from the store's log — nothing stored is left
   * unpublished even if this process dies right after the append. Pre-flight runs either way.
   */
  readonly publishing?: 'inline' | 'relay';
  /** A relay to wake after each append, so it publishes now rather than at its next poll. */
  readonly relay?: Pick<Relay, 'notify'>;
}

export interface HandleOptions extends EnvelopeOptions {
  /**
   * Checked before the append: once fired, nothing is stored (OperationAborted). After the append
   * it is handed to the publishers: a publish it aborts is a failure of that target in
   * DispatchFailed (the events are stored; `retry()` or the relay sends them later).
   */
  readonly signal?: AbortSignal;
}

export interface Handled<S, E extends DomainEvent = DomainEvent> {
  /** The state after the command's events. */
  readonly state: Versioned<S>;
  readonly events: readonly E[];
  readonly envelopes: readonly Envelope[];
  /** The store's receipt first, then one per publisher. Empty when the command produced no event. */
  readonly receipts: readonly Receipt[];
  /** True when the command's `commandId` had already been handled: nothing new was stored. */
  readonly duplicate: boolean;
  /** Set when the events were stored and published but the snapshot due could not be written. */
  readonly snapshotFailed?: Error;
}

/** Handles commands of one aggregate against one store and its publishers. */
export interface CommandHandler<S, C extends Command, E extends DomainEvent> {
  readonly aggregate: Aggregate<S, C, E>;
  readonly store: EventStore;
  readonly publishers: readonly Publisher[];
  /**
   * Loads the instance (snapshot + replay), decides, checks the events with every publisher's
   * pre-flight, and only then appends; then publishes (inline), or leaves that to the relay.
   * Throws CommandRejected, UnknownCommand,
   * AggregateFailed, InvalidHandlerResult, InvalidEvent or OperationAborted with nothing stored;
   * ConcurrencyConflict after `conflictRetries` reloads; DispatchFailed (the events are stored,
   * some publisher did not take them: `retry()`) after the append.
   */
  handle(id: string, command: C, options?: HandleOptions): Promise<Handled<S, E>>;
  /**
   * The same for a caller that holds the state itself: no load, and a ConcurrencyConflict is
   * thrown at once (reload and call again).
   */
  handleLoaded(current: Versioned<S>, command: C, options?: HandleOptions): Promise<Handled<S, E>>;
}

/**
 * The entry point: built once, then `handle(id, command)` for every command.
 * ```ts
 * const combat = commandHandler({ aggregate: Combat, store, publishers: [kafka, nats] });
 * const { state, receipts } = await combat.handle('ogre', { type: 'Attack', entityId: 'ogre', damage: 150 });
 * ```
 */
export function commandHandler<S, C extends Command, E extends DomainEvent>(
  options: CommandHandlerOptions<S, C, E>,
): CommandHandler<S, C, E> {
  const { aggregate, store } = options;
  const publishers = options.publishers ?? [];
  const every = options.snapshotEvery ?? 0;
  const retries = options.conflictRetries ?? 3;
  const inlinePublishing = (options.publishing ?? 'inline') === 'inline';
  checkOptions(store, publishers, every, retries);
  if (options.publishing !== undefined && !['inline', 'relay'].includes(options.publishing)) {
    throw new TypeError(
      `commandHandler: publishing must be "inline" or "relay", got ${JSON.stringify(options.publishing)}`,
    );
  }

  async function decideAndStore(
    current: Versioned<S>,
    command: C,
    handleOptions: HandleOptions,
    trace: Trace,
  ): Promise<Handled<S, E>> {
    const decided = decide(aggregate, current, command);
    let state = current;
    for (const event of decided) state = evolve(aggregate, state, event, command.type);
    // The handle span becomes the events' trace context unless the caller brought its own.
    const traced =
      handleOptions.traceparent === undefined && trace.traceparent !== undefined
        ? { ...handleOptions, traceparent: trace.traceparent }
        : handleOptions;
    const { events, envelopes } = await toEnvelopes(aggregate, current, decided, traced);
    if (envelopes.length === 0) {
      return { state, events, envelopes, receipts: [], duplicate: false };
    }
    // Pre-flight: every publisher encodes and checks the events before the store keeps them.
    const batches = prepareAll(publishers, envelopes);
    const { signal } = handleOptions;
    if (signal?.aborted) throw new OperationAborted(store.name, current.stream, signal.reason);
    const appended = await inSpan(
      'eventfan.append',
      { parent: trace.span, attributes: spanAttributes(store.name, envelopes) },
      () => store.append(current.stream, envelopes, current.generation, signal ? { signal } : {}),
    );
    const duplicate = appended.events.every((e) => e.duplicate);
    const snapshotDue = !duplicate && every > 0;
    const snapshotFailed = snapshotDue ? await snapshot(current.generation, state) : undefined;
    const stored: Receipt = { target: store.name, events: appended.events };
    const complete = (receipts: readonly Receipt[]): Handled<S, E> => ({
      state,
      events,
      envelopes,
      receipts,
      duplicate,
      ...(snapshotFailed ? { snapshotFailed } : {}),
    });
    options.relay?.notify();
    if (!inlinePublishing) return complete([stored]);
    const first = { stream: current.stream, batches, attempt: 1, parent: trace.span, signal };
    return deliver(first, complete, [stored]);
  }

  /** Writes a snapshot when the append crossed a multiple of `snapshotEvery`. */
  async function snapshot(before: number, state: Versioned<S>): Promise<Error | undefined> {
    if (!store.writeSnapshot) return undefined;
    if (Math.floor(state.generation / every) === Math.floor(before / every)) return undefined;
    try {
      await store.writeSnapshot(state.stream, {
        stream: state.stream,
        generation: state.generation,
        state: state.state,
        time: new Date().toISOString(),
      });
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** The command was handled before (its commandId is in the stream): publish its events again. */
  async function repeat(
    current: Versioned<S>,
    stored: readonly Envelope[],
    trace: Trace,
  ): Promise<Handled<S, E>> {
    const batches = prepareAll(publishers, stored);
    const receipt: Receipt = {
      target: store.name,
      events: stored.map((e) => ({
        id: e.id,
        generation: e.generation,
        duplicate: true,
        position: { generation: e.generation },
      })),
    };
    // Replay checked every stored type; older versions come back in the current shape.
    const events = stored.map((e) => {
      const type = aggregate.events.nameOf(e.type) as E['type'];
      return { type, data: aggregate.events.upcast(type, e.version, e.data) } as E;
    });
    const complete = (receipts: readonly Receipt[]): Handled<S, E> => ({
      state: current,
      events,
      envelopes: stored,
      receipts,
      duplicate: true,
    });
    if (!inlinePublishing) return complete([receipt]);
    return deliver({ stream: current.stream, batches, attempt: 2, parent: trace.span }, complete, [
      receipt,
    ]);
  }

  return {
    aggregate,
    store,
    publishers,
    handle(id, command, handleOptions = {}) {
      return traced(aggregate.streamOf(id), command, async (trace) => {
        for (let attempt = 0; ; attempt++) {
          const loaded = await replay(aggregate, store, id, handleOptions.commandId);
          if (loaded.ofCommand.length > 0) return repeat(loaded.current, loaded.ofCommand, trace);
          try {
            return await decideAndStore(loaded.current, command, handleOptions, trace);
          } catch (error) {
            if (!(error instanceof ConcurrencyConflict) || attempt >= retries) throw error;
          }
        }
      });
    },
    handleLoaded(current, command, handleOptions = {}) {
      return traced(current.stream, command, (trace) =>
        decideAndStore(current, command, handleOptions, trace),
      );
    },
  };

  function traced<T>(stream: string, command: C, run: (trace: Trace) => Promise<T>): Promise<T> {
    const attributes = {
      'eventfan.aggregate': aggregate.name,
      'eventfan.stream': stream,
      'eventfan.command': String((command as Partial<Command> | null)?.type),
    };
    return inSpan('eventfan.handle', { attributes }, (span, traceparent) =>
      run({ span, traceparent }),
    );
  }
}

/** The handle span, to parent the append and publish spans and to stamp the events' trace. */
interface Trace {
  readonly span: TraceParent;
  readonly traceparent: string | undefined;
}

function checkOptions(
  store: EventStore,
  publishers: readonly Publisher[],
  every: number,
  retries: number,
): void {
  if (!store || typeof store.append !== 'function' || typeof store.read !== 'function') {
    throw new TypeError('commandHandler: `store` must be an EventStore (append, read, readAll)');
  }
  const names = new Set([store.name]);
  for (const publisher of publishers) {
    if (!publisher || typeof publisher.prepare !== 'function') {
      throw new TypeError('commandHandler: every entry of `publishers` must be a Publisher');
    }
    if (names.has(publisher.name)) {
      throw new TypeError(
        `commandHandler: two targets are named "${publisher.name}": names identify targets in receipts and retries`,
      );
    }
    names.add(publisher.name);
  }
  if (!Number.isInteger(every) || every < 0) {
    throw new TypeError(`commandHandler: snapshotEvery must be a whole number >= 0, got ${every}`);
  }
  if (!Number.isInteger(retries) || retries < 0) {
    throw new TypeError(
      `commandHandler: conflictRetries must be a whole number >= 0, got ${retries}`,
    );
  }
}
