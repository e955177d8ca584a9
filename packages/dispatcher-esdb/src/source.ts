import type { Checkpoints, Incoming, LogPosition, SubscriptionSource } from '@eventfan/core';
import type { EsdbRecordedEvent, EsdbSubscriberClient } from './client.js';
import { deadLetterRecord } from './dead-letter.js';
import { fromClientError } from './errors.js';
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

/**
 * A subscription source on an EventStoreDB catch-up subscription to `$all` or a stream: starts
 * after the position saved in `checkpoints`, delivers what the client buffered in batches, saves
 * the position of what the subscription handled every `batchSize` events, when no more came for
 * a moment and when the run ends, and parks into a dead-letter stream. What a crash leaves unsaved
 * is delivered again, and the subscription's marks drop it. A record eventfan cannot decode is
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
  const key = `subscription/${name}`;
  const deadLetterStream = options.deadLetterStream ?? `${name}-deadletter`;
  const aggregates = options.aggregates && new Set(options.aggregates);
  const prefix = options.streamPrefix ?? ((aggregate: string) => `${aggregate}-`);
  const prefixes = aggregates && [...aggregates].map(prefix);
  /** The last position delivered and handled, for `lag`. */
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

  /** Claims the checkpoint, then delivers from it until `stopping` fires or a failure. */
  async function follow(
    deliver: (batch: readonly Incoming[]) => Promise<void>,
    stopping: AbortSignal,
  ): Promise<void> {
    const saved = await checkpoints.load(key);
    // Saving again claims the subscription: a second one on the same name stands down here.
    let version = await checkpoints.save(key, saved?.position ?? '', saved?.version ?? 0);
    position = saved?.position || undefined;
    const cursor = cursorFrom(position);
    const reader = new SubscriptionReader(
      cursor.open(client, { highWaterMark: batchSize }),
      batchSize,
    );
    /** Handled since the checkpoint last moved. */
    let unsaved = 0;
    const save = async () => {
      if (unsaved === 0 || position === undefined) return;
      version = await checkpoints.save(key, position, version);
      unsaved = 0;
    };
    const next = () =>
      reader.next(stopping).catch((error: unknown) => {
        throw fromClientError(error, { target: name, stream: cursor.label });
      });
    /** The next events; when none come within QUIET_MS, saves what was handled while it waits. */
    const nextOrSave = async () => {
      const pending = next();
      if (unsaved === 0) return pending;
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
        await deliver(batch);
        position = (batch[batch.length - 1] as Delivered).position;
        unsaved += batch.length;
        if (unsaved >= batchSize) await save();
      }
      failed = false;
    } finally {
      // What was handled before a failure is saved too, without hiding the failure.
      await (failed ? save().catch(() => {}) : save()).finally(() =>
        reader.close().catch(() => {}),
      );
    }
  }

  return {
    name,
    deadLetterStream,

    run(deliver, signal) {
      const refused = closing.signal.aborted ? 'is closed' : running ? 'is running already' : '';
      if (refused) return Promise.reject(new TypeError(`esdbSource "${name}" ${refused}`));
      const stopping = AbortSignal.any([signal, closing.signal]);
      const following = follow(deliver, stopping).finally(() => (running = undefined));
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
