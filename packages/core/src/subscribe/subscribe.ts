import { setTimeout as delay } from 'node:timers/promises';
import pRetry from 'p-retry';
import type { Envelope } from '../envelope.js';
import type { DomainEvent, EventFamily } from '../event.js';
import { describeCause, InvalidEvent } from '../errors.js';
import { IdWindow } from './id-window.js';
import { InMemorySequenceMarks, type SequenceMarks } from './marks.js';
import type { Incoming, SubscriptionSource } from './source.js';

export interface SubscribeOptions<E extends DomainEvent> {
  readonly source: SubscriptionSource;
  /** The family the events are decoded into (upcast to its current version). */
  readonly events: EventFamily<E>;
  /** Runs once per event, in order per stream; the source moves on only after it resolved. */
  readonly handler: (event: E, envelope: Envelope) => Promise<void> | void;
  /** An event whose type the family does not know: skip it (default), park it, or stop. */
  readonly onUnknown?: 'skip' | 'park' | 'error';
  /** Tries per event before it is parked: attempts after the first (default 3), with backoff. */
  readonly retry?: {
    readonly retries?: number;
    readonly minTimeoutMs?: number;
    readonly maxTimeoutMs?: number;
  };
  /**
   * Duplicates kept from the handler: `sequence` (default) by each stream's high-water mark
   * (`marks`), `id-window` by the last `windowSize` ids, `none`.
   */
  readonly dedupe?: 'sequence' | 'id-window' | 'none';
  readonly marks?: SequenceMarks;
  readonly windowSize?: number;
}

export type SubscriptionState = 'starting' | 'running' | 'stopped' | 'failed';

export interface SubscriptionStatus {
  readonly source: string;
  readonly state: SubscriptionState;
  readonly handled: number;
  readonly duplicates: number;
  readonly skipped: number;
  readonly parked: number;
  /** Messages the source holds not yet delivered, when it can say. */
  readonly lag: number | undefined;
  readonly lastError?: string;
}

export interface Subscription {
  /** Resolves once the subscription stopped: after stop(), or when it failed (then it rejects). */
  readonly done: Promise<void>;
  /** Lets the batch in hand finish (its checkpoint moves), then stops. */
  stop(): Promise<void>;
  status(): Promise<SubscriptionStatus>;
}

/**
 * Subscribes a handler to a source: decodes each message to the family's typed event (upcast to
 * the current version), keeps duplicates from the handler, retries a failing handler with backoff
 * and then parks the event with the reason, so the next events still flow. At least once to the
 * handler across crashes; exactly once after dedupe while the marks survive with its state.
 */
export function subscribe<E extends DomainEvent>(options: SubscribeOptions<E>): Subscription {
  const { source, events, handler } = options;
  const onUnknown = options.onUnknown ?? 'skip';
  const marks = options.marks ?? new InMemorySequenceMarks();
  const dedupe = options.dedupe ?? 'sequence';
  const window = dedupe === 'id-window' ? new IdWindow(options.windowSize ?? 10_000) : undefined;
  const retries = options.retry?.retries ?? 3;
  const stopping = new AbortController();
  const counts = { handled: 0, duplicates: 0, skipped: 0, parked: 0 };
  let state: SubscriptionState = 'starting';
  let lastError: string | undefined;

  const park = async (incoming: Incoming, reason: string) => {
    await source.park(incoming, reason);
    counts.parked++;
  };

  /** Whether the handler saw this event already; a promise only when the marks answer with one. */
  function isDuplicate(envelope: Envelope): boolean | Promise<boolean> {
    if (dedupe === 'none') return false;
    if (window) return window.seen(envelope.id);
    const mark = marks.get(envelope.stream);
    const covers = (mark: number | undefined) => mark !== undefined && envelope.generation <= mark;
    return isPromise(mark) ? mark.then(covers) : covers(mark);
  }

  /** The retries after a failed first try: the backoff p-retry would have waited, then p-retry. */
  async function retry(event: E, envelope: Envelope, first: unknown): Promise<void> {
    if (retries === 0 || stopping.signal.aborted) throw first;
    await delay(options.retry?.minTimeoutMs ?? 100, undefined, { signal: stopping.signal });
    await pRetry(async () => handler(event, envelope), {
      retries: retries - 1,
      minTimeout: options.retry?.minTimeoutMs ?? 100,
      maxTimeout: options.retry?.maxTimeoutMs ?? 2_000,
      randomize: true,
      signal: stopping.signal,
    });
  }

  /**
   * One message through dedupe, decode and the handler. Only what answers with a promise is
   * awaited (async marks, an async handler): the first try runs bare, the retry machinery only
   * after it failed, and in-memory marks with a synchronous handler take no turn of the loop.
   */
  async function one(incoming: Incoming): Promise<void> {
    if (incoming.envelope === undefined) return park(incoming, describeCause(incoming.error));
    const { envelope } = incoming;
    const duplicate = isDuplicate(envelope);
    if (isPromise(duplicate) ? await duplicate : duplicate) {
      counts.duplicates++;
      return;
    }
    const type = events.nameOf(envelope.type);
    const event = type === undefined ? undefined : upcast(incoming, type);
    if (type === undefined) {
      const reason = `family "${events.name}" has no event of type "${envelope.type}"`;
      if (onUnknown === 'error') {
        throw new InvalidEvent(reason, {
          stream: envelope.stream,
          generation: envelope.generation,
        });
      }
      if (onUnknown === 'park') await park(incoming, reason);
      else counts.skipped++;
    } else if (event instanceof Promise) {
      await event; // the upcaster failed: parked
    } else if (event !== undefined) {
      try {
        try {
          const handling = handler(event, envelope);
          if (isPromise(handling)) await handling;
        } catch (error) {
          await retry(event, envelope, error);
        }
        counts.handled++;
      } catch (error) {
        if (stopping.signal.aborted) throw error;
        await park(incoming, `the handler failed ${retries + 1} times: ${describeCause(error)}`);
      }
    }
    // Handled, parked or skipped, the event is behind the handler now: a redelivery is a duplicate.
    if (dedupe === 'sequence') {
      const marked = marks.set(envelope.stream, envelope.generation);
      if (isPromise(marked)) await marked;
    }
  }

  /** The typed event in the current version, or — when an upcaster fails — the parking of it. */
  function upcast(incoming: Incoming & { envelope: Envelope }, type: E['type']): E | Promise<void> {
    const { envelope } = incoming;
    try {
      return { type, data: events.upcast(type, envelope.version, envelope.data) } as E;
    } catch (error) {
      return park(incoming, describeCause(error));
    }
  }

  const done = (async () => {
    state = 'running';
    try {
      await source.run(async (batch) => {
        for (const incoming of batch) await one(incoming);
      }, stopping.signal);
      state = 'stopped';
    } catch (error) {
      if (stopping.signal.aborted) {
        state = 'stopped';
        return;
      }
      state = 'failed';
      lastError = describeCause(error);
      throw error;
    }
  })();
  done.catch(() => {});

  return {
    done,
    async stop() {
      stopping.abort();
      await done.catch(() => {});
      await source.close();
    },
    async status() {
      return {
        source: source.name,
        state,
        ...counts,
        lag: await source.lag().catch(() => undefined),
        ...(lastError === undefined ? {} : { lastError }),
      };
    },
  };
}

/** A promise, or a thenable a user's marks or handler returned. */
function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}
