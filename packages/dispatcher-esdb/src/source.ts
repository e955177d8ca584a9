import pRetry from 'p-retry';
import { BrokerUnavailable, CheckpointConflict } from '@eventfan/core';
import type { Checkpoints, Incoming, LogPosition, SubscriptionSource } from '@eventfan/core';
import type { EsdbRecordedEvent, EsdbSubscriberClient } from './client.js';
import { deadLetterRecord } from './dead-letter.js';
import { fromClientError, NotLeader } from './errors.js';
import { isWanted } from './read-all-filter.js';
import { recordsOf } from './page.js';
import { toStoredEnvelope } from './records.js';
import { allCursor, streamCursor, type SubscriptionCursor } from './subscription-cursor.js';
import { SubscriptionReader } from './subscription-reader.js';

interface EsdbSourceCommon {
  /** An `EventStoreDBClient` or `KurrentDBClient`. */
  readonly client: EsdbSubscriberClient;
  /** Where the position is kept, under `subscription/<name>`: e.g. `esdbCheckpoints`. */
  readonly checkpoints: Checkpoints;
  /** Names the subscription, its checkpoint and its dead-letter stream. */
  readonly name: string;
  /** Where `park` appends; default `<name>-deadletter`. */
  readonly deadLetterStream?: string;
  /**
   * Events per `deliver` at most, and what the client buffers; default 256. The checkpoint moves
   * once this many were handled since it last moved, and when no more came for a moment.
   */
  readonly batchSize?: number;
  /** How the source subscribes again when the connection failed; see EsdbSourceRetry. */
  readonly retry?: EsdbSourceRetry;
}

/**
 * Subscribing again after the connection failed (server unreachable, connection dropped, a call
 * timed out, a node no longer the leader), from the last position handled: exponential backoff
 * with jitter, p-retry's. Other failures end the run at once.
 */
export interface EsdbSourceRetry {
  /**
   * Subscriptions tried after a failure before `run` rejects with the last one's failure
   * (`BrokerUnavailable`); default 20, which with the default waits rides out more than a minute;
   * 0 never resubscribes, `Infinity` never gives up. The count starts again once the server
   * confirmed a subscription.
   */
  readonly retries?: number;
  /** The first wait, doubled on each attempt, times a random factor of 1 to 2; default 100 ms. */
  readonly minTimeoutMs?: number;
  /** The longest wait; default 5 s. */
  readonly maxTimeoutMs?: number;
}

/** A source over `$all` (filtered on the server to `aggregates`) or over one stream. */
export type EsdbSourceOptions = EsdbSourceCommon &
  (
    | {
        readonly stream: string;
        readonly aggregates?: undefined;
        readonly streamPrefix?: undefined;
      }
    | {
        readonly stream?: undefined;
        /** Only events of these aggregates; default every eventfan event of `$all`. */
        readonly aggregates?: readonly string[];
        /** The stream-name prefix of an aggregate; default `<aggregate>-`, as the store's. */
        readonly streamPrefix?: (aggregate: string) => string;
      }
  );

/** core's SubscriptionSource on an EventStoreDB catch-up subscription. */
export interface EsdbSource extends SubscriptionSource {
  readonly deadLetterStream: string;
}

/**
 * A message delivered, with the record it was read from: `park` copies the record. Kept on the
 * message itself rather than in a table: one entry less per event for the collector.
 */
type Delivered = Incoming & { readonly record: EsdbRecordedEvent };

/**
 * How long the subscription may find nothing new before the position of what it handled is saved
 * although fewer than `batchSize` events came since the last save: long enough that a reader
 * keeping up with the server does not save per read, short enough that an idle checkpoint is
 * current at once.
 */
const QUIET_MS = 100;

/** A rejection of `deliver`: the handler's failure, which `run` passes on and never retries. */
class DeliverFailed {
  constructor(readonly error: unknown) {}
}

/** How one subscription ended: stopped, dropped after the server had confirmed it, or failed. */
type Life = 'stopped' | { readonly dropped: unknown } | { readonly failed: unknown };

/** What a run keeps from one subscription to the next. */
interface RunState {
  /** The checkpoint's version after the run's last save; 0 until it claimed it (a claim saves). */
  version: number;
  /** The position of a save that failed: it may have landed all the same. */
  doubtful: LogPosition | undefined;
  /** Handled since the checkpoint last moved. */
  unsaved: number;
}

/** Failures a new subscription may mend: the client reconnects on its next call. */
const isConnectionFailure = (error: unknown) =>
  error instanceof BrokerUnavailable || error instanceof NotLeader;

/**
 * A subscription source on an EventStoreDB catch-up subscription to `$all` or a stream: starts
 * after the position saved in `checkpoints`, delivers what the client buffered in batches, saves
 * the position of what the subscription handled every `batchSize` events, when no more came for
 * a moment and when the run ends, and parks into a dead-letter stream. After a connection failure
 * it subscribes again from the last position handled (`retry`). What a crash leaves unsaved is
 * delivered again, and the subscription's marks drop it. A record eventfan cannot decode is
 * delivered as `{ error, position }`, to be parked.
 */
export function esdbSource(options: EsdbSourceOptions): EsdbSource {
  const { client, checkpoints, name } = options;
  if (!client || typeof client.subscribeToAll !== 'function') {
    throw new TypeError('esdbSource: `client` must be an EventStoreDBClient or KurrentDBClient');
  }
  if (typeof name !== 'string' || name === '')
    throw new TypeError('esdbSource: `name` is required');
  const batchSize = options.batchSize ?? 256;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new TypeError(`esdbSource: batchSize must be a whole number >= 1, got ${batchSize}`);
  }
  const backoff = backoffOf(options.retry);
  const key = `subscription/${name}`;
  const deadLetterStream = options.deadLetterStream ?? `${name}-deadletter`;
  const aggregates = options.aggregates && new Set(options.aggregates);
  const prefix = options.streamPrefix ?? ((aggregate: string) => `${aggregate}-`);
  const prefixes = aggregates && [...aggregates].map(prefix);
  /** The last position delivered and handled: where a new subscription starts, and for `lag`. */
  let position: LogPosition | undefined;
  let running: Promise<unknown> | undefined;
  const closing = new AbortController();

  const cursorFrom = (saved: LogPosition | undefined): SubscriptionCursor =>
    options.stream === undefined ? allCursor(saved, prefixes) : streamCursor(options.stream, saved);

  function incoming(record: EsdbRecordedEvent, cursor: SubscriptionCursor): Delivered | undefined {
    const position = cursor.positionOf(record);
    try {
      const envelope = toStoredEnvelope(name, record);
      return isWanted(envelope, aggregates) ? { envelope, position, record } : undefined;
    } catch (error) {
      return { error: error as Error, position, record };
    }
  }

  /**
   * At a run's first subscription, claims the checkpoint and starts from it. At a later one,
   * checks the checkpoint is still the run's: a save whose answer the failure lost may have landed
   * (then the checkpoint is one version on, at that save's position); anything else is another
   * source's claim.
   */
  async function claim(run: RunState): Promise<void> {
    const saved = await checkpoints.load(key);
    if (run.version === 0) {
      // Saving again claims the subscription: a second one on the same name stands down here.
      run.version = await checkpoints.save(key, saved?.position ?? '', saved?.version ?? 0);
      position = saved?.position || undefined;
      return;
    }
    const actual = saved?.version ?? 0;
    if (actual === run.version + 1 && saved?.position === run.doubtful) run.version = actual;
    else if (actual !== run.version) throw new CheckpointConflict(key, run.version, actual);
    run.doubtful = undefined;
  }

  /** One subscription from the last position handled, until `stopping` fires or a failure. */
  async function follow(
    deliver: (batch: readonly Incoming[]) => Promise<void>,
    stopping: AbortSignal,
    run: RunState,
    onConfirmed: () => void,
  ): Promise<void> {
    await claim(run);
    const cursor = cursorFrom(position);
    const reader = new SubscriptionReader(
      cursor.open(client, { highWaterMark: batchSize }),
      batchSize,
      stopping,
      onConfirmed,
    );
    const save = async () => {
      if (run.unsaved === 0 || position === undefined) return;
      run.doubtful = position;
      run.version = await checkpoints.save(key, position, run.version);
      run.doubtful = undefined;
      run.unsaved = 0;
    };
    const next = () =>
      reader.next().catch((error: unknown) => {
        throw fromClientError(error, { target: name, stream: cursor.label });
      });
    /** The next events; when none come within QUIET_MS, saves what was handled while it waits. */
    const nextOrSave = async () => {
      const pending = next();
      // Events already buffered come at once: no wait to time.
      if (run.unsaved === 0 || reader.buffered) return pending;
      let timer: NodeJS.Timeout | undefined;
      const quiet = new Promise<'quiet'>((resolve) => {
        timer = setTimeout(resolve, QUIET_MS, 'quiet');
      });
      try {
        const first = await Promise.race([pending, quiet]);
        if (first !== 'quiet') return first;
      } finally {
        clearTimeout(timer);
      }
      await save();
      return pending;
    };
    let failed = true;
    try {
      for (let events; (events = await nextOrSave());) {
        const batch: Delivered[] = [];
        for (const event of events) {
          const one = cursor.accept(event) ? incoming(event, cursor) : undefined;
          if (one) batch.push(one);
        }
        if (batch.length === 0) continue;
        await deliver(batch).catch((error: unknown) => {
          throw new DeliverFailed(error);
        });
        position = (batch[batch.length - 1] as Delivered).position;
        run.unsaved += batch.length;
        if (run.unsaved >= batchSize) await save();
      }
      // A catch-up subscription has no end: one this source did not stop, the server ended.
      if (!stopping.aborted) {
        throw new BrokerUnavailable(name, `${cursor.label}: the server ended the subscription`);
      }
      failed = false;
    } finally {
      // What was handled before a failure is saved too, without hiding the failure.
      await (failed ? save().catch(() => {}) : save()).finally(() =>
        reader.close().catch(() => {}),
      );
    }
  }

  /**
   * Subscriptions one after another until `stopping` fires: after a connection failure the next
   * starts from the last position handled, with p-retry's backoff between attempts that fail again.
   * Any other failure (the handler's, another source's claim, bad input) ends the run as it is.
   */
  async function resubscribing(
    deliver: (batch: readonly Incoming[]) => Promise<void>,
    stopping: AbortSignal,
  ): Promise<void> {
    const run: RunState = { version: 0, doubtful: undefined, unsaved: 0 };
    const life = async (): Promise<Life> => {
      let confirmed = false;
      try {
        await follow(deliver, stopping, run, () => (confirmed = true));
        return 'stopped';
      } catch (error) {
        if (error instanceof DeliverFailed) return { failed: error.error };
        if (stopping.aborted || !isConnectionFailure(error)) return { failed: error };
        if (confirmed) return { dropped: error };
        throw error; // p-retry waits, then subscribes again
      }
    };
    /** The failure of a confirmed subscription: a new outage, with the whole count again. */
    let dropped: { readonly dropped: unknown } | undefined;
    while (!stopping.aborted) {
      let current: Promise<Life> = Promise.resolve('stopped');
      const attempt = (n: number) =>
        // The drop is the outage's first failed attempt: the next one waits, with jitter.
        n === 1 && dropped ? Promise.reject(dropped.dropped) : (current = life());
      const ended = await pRetry(attempt, { ...backoff, signal: stopping }).catch(
        (error: unknown) => {
          if (!stopping.aborted) throw error;
          // A stop settles p-retry at once: a subscription still ending has the last word.
          return current.catch((): Life => 'stopped');
        },
      );
      if (ended === 'stopped') return;
      if ('failed' in ended) throw ended.failed;
      dropped = ended;
    }
  }

  return {
    name,
    deadLetterStream,

    run(deliver, signal) {
      const refused = closing.signal.aborted ? 'is closed' : running ? 'is running already' : '';
      if (refused) return Promise.reject(new TypeError(`esdbSource "${name}" ${refused}`));
      const stopping = AbortSignal.any([signal, closing.signal]);
      const following = resubscribing(deliver, stopping).finally(() => (running = undefined));
      running = following.catch(() => {});
      return following;
    },
    async park(parked, reason) {
      const { record } = parked as Partial<Delivered>;
      if (!record) throw new TypeError(`esdbSource "${name}": park takes what it delivered`);
      const letter = deadLetterRecord(record, {
        reason,
        subscription: name,
        stream: record.streamId,
        revision: record.revision.toString(),
        position: parked.position,
        time: new Date().toISOString(),
      });
      try {
        await client.appendToStream(deadLetterStream, [letter], {
          expectedRevision: 'any',
          streamState: 'any',
        });
      } catch (error) {
        throw fromClientError(error, { target: name, stream: deadLetterStream, writing: true });
      }
    },

    /** Events of the stream after the last delivered one; `$all` positions are not counts. */
    async lag() {
      if (options.stream === undefined) return undefined;
      const reading = client.readStream(options.stream, {
        fromRevision: 'end',
        direction: 'backwards',
        maxCount: 1,
      });
      for await (const last of recordsOf(reading, { target: name, stream: options.stream })) {
        return Number(last.revision - (position ? BigInt(position) : -1n));
      }
      return 0;
    },

    /** Ends a run under way (the subscription is cancelled) and refuses new ones. */
    async close() {
      closing.abort();
      await running;
    },
  };
}

/** p-retry's options for `retry`, checked. */
function backoffOf(retry: EsdbSourceRetry | undefined) {
  const retries = retry?.retries ?? 20;
  const minTimeout = retry?.minTimeoutMs ?? 100;
  const maxTimeout = retry?.maxTimeoutMs ?? 5_000;
  if (retries !== Number.POSITIVE_INFINITY && !(Number.isSafeInteger(retries) && retries >= 0)) {
    throw new TypeError(
      `esdbSource: retry.retries must be a whole number >= 0 or Infinity, got ${retries}`,
    );
  }
  if (!(Number.isFinite(minTimeout) && minTimeout >= 0 && maxTimeout >= minTimeout)) {
    throw new TypeError(
      `esdbSource: retry needs 0 <= minTimeoutMs <= maxTimeoutMs, got ${minTimeout} and ${maxTimeout}`,
    );
  }
  return {
    // p-retry's `forever` keeps its last wait; an infinite `retries` would build every wait first.
    ...(Number.isFinite(retries) ? { retries } : { forever: true }),
    minTimeout,
    maxTimeout,
    randomize: true,
  };
}
