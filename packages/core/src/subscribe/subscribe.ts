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
    if (isPromise(mark)) return Promise.resolve(mark).then((m) => covers(m, envelope));
    return covers(mark, envelope);
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
   * One message through dedupe, decode and the handler. A promise only when some step answered
   * with one (async marks, an async handler, a park, a retry): the batch loop awaits just those,
   * so in-memory marks with a synchronous handler take no turn of the loop per event, and the
   * retry machinery runs only after a first try failed.
   */
  function one(incoming: Incoming): void | Promise<void> {
    if (incoming.envelope === undefined) return park(incoming, describeCause(incoming.error));
    const { envelope } = incoming;
    const duplicate = isDuplicate(envelope);
    if (isPromise(duplicate)) {
      return duplicate.then((seen) =>
        seen ? void counts.duplicates++ : fresh(incoming, envelope),
      );
    }
    if (duplicate) {
      counts.duplicates++;
      return;
    }
    return fresh(incoming, envelope);
  }

  /**
   * A message the handler has not seen: decoded, handled (or skipped, parked), then marked —
   * whichever it was, the event is behind the handler now, and a redelivery is a duplicate.
   */
  function fresh(incoming: Incoming, envelope: Envelope): void | Promise<void> {
    const handled = decodeAndHandle(incoming, envelope);
    if (isPromise(handled)) return handled.then(() => mark(envelope));
    return mark(envelope);
  }

  function decodeAndHandle(incoming: Incoming, envelope: Envelope): void | Promise<void> {
    const type = events.nameOf(envelope.type);
    if (type === undefined) return unknown(incoming, envelope);
    let event: E;
    try {
      event = { type, data: events.upcast(type, envelope.version, envelope.data) } as E;
    } catch (error) {
      return park(incoming, describeCause(error));
    }
    try {
      const handling = handler(event, envelope);
      // A user's thenable is adopted as `await` would.
      if (isPromise(handling)) {
        return Promise.resolve(handling).then(countHandled, (e: unknown) =>
          failed(incoming, event, e),
        );
      }
    } catch (error) {
      return failed(incoming, event, error);
    }
    countHandled();
  }

  const countHandled = () => void counts.handled++;

  /** A first try that failed: retried with backoff, then parked with the reason. */
  async function failed(incoming: Incoming, event: E, first: unknown): Promise<void> {
    const envelope = incoming.envelope as Envelope;
    try {
      await retry(event, envelope, first);
      countHandled();
    } catch (error) {
      if (stopping.signal.aborted) throw error;
      await park(incoming, `the handler failed ${retries + 1} times: ${describeCause(error)}`);
    }
  }

  function unknown(incoming: Incoming, envelope: Envelope): void | Promise<void> {
    const reason = `family "${events.name}" has no event of type "${envelope.type}"`;
    if (onUnknown === 'error') {
      throw new InvalidEvent(reason, { stream: envelope.stream, generation: envelope.generation });
    }
    if (onUnknown === 'park') return park(incoming, reason);
    counts.skipped++;
  }

  function mark(envelope: Envelope): void | Promise<void> {
    if (dedupe === 'sequence') return marks.set(envelope.stream, envelope.generation);
  }

  const done = (async () => {
    state = 'running';
    try {
      await source.run(async (batch) => {
        for (const incoming of batch) {
          const pending = one(incoming);
          if (pending) await pending;
        }
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

/** Whether the stream's mark `mark` is at or past the envelope: the handler saw it. */
function covers(mark: number | undefined, envelope: Envelope): boolean {
  return mark !== undefined && envelope.generation <= mark;
}

/** A promise, or a thenable a user's marks or handler returned. */
function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}
