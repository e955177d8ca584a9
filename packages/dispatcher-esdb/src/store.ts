import {
  BrokerUnavailable,
  ConcurrencyConflict,
  InvalidEvent,
  OperationAborted,
} from '@eventfan/core';
import type {
  AppendOptions,
  AppendResult,
  Envelope,
  EventReceipt,
  EventStore,
  LoggedEnvelope,
  ReadAllOptions,
  Snapshot,
} from '@eventfan/core';
import { assertOpen, checkBatch, millisecondsProblem, withDeadline } from '@eventfan/core/adapter';
import type {
  EsdbClient,
  EsdbEventData,
  EsdbExpectedRevision,
  EsdbLogPosition,
  EsdbRecordedEvent,
} from './client.js';
import { AccessDenied, fromClientError, NotLeader, StreamDeleted } from './errors.js';
import { InDoubt } from './in-doubt.js';
import { HighWaterMark, parsePosition, positionText, samePosition } from './log-position.js';
import { recordsOf } from './page.js';
import { isCandidate, isWanted, serverFilter } from './read-all-filter.js';
import { toRecords, toStoredEnvelope } from './records.js';
import { parseSnapshot, snapshotRecord } from './snapshots.js';

/**
 * Where one event landed in EventStoreDB: its revision (generation - 1), the revision to expect on
 * the next append, and the append's log position ($all) when the server gave one. Log positions are
 * decimal strings: they outgrow 2^53.
 */
export type EsdbPosition =
  | { readonly revision: number; readonly nextExpectedRevision: number }
  | {
      readonly revision: number;
      readonly nextExpectedRevision: number;
      readonly commitPosition: string;
      readonly preparePosition: string;
    };

export interface EsdbEventStoreOptions {
  /** An `EventStoreDBClient` (`@eventstore/db-client`) or `KurrentDBClient` (`@kurrent/kurrentdb-client`). */
  readonly client: EsdbClient;
  /** The store's name in receipts and errors; default `esdb`. */
  readonly name?: string;
  /** Events per read call (streams and `$all`); default 500. Memory stays at one page. */
  readonly pageSize?: number;
  /**
   * The server's maximum append size in bytes (EventStoreDB's `MaxAppendSize`, default 1 MiB):
   * larger appends are refused before anything is sent. The store lowers it when the server says
   * its limit is smaller.
   */
  readonly maxAppendSize?: number;
  /** The companion stream that keeps a stream's snapshots; default `snapshot-<stream>`. */
  readonly snapshotStream?: (stream: string) => string;
  /** The prefix of an aggregate's stream names, for `readAll({ aggregates })`; default `<aggregate>-`. */
  readonly streamPrefix?: (aggregate: string) => string;
  /** Milliseconds one call may take; default the client's own (10 s). */
  readonly timeoutMs?: number;
  /** Dispose of the client on `close()`; default false, the client stays the caller's. */
  readonly disposeClient?: boolean;
}

/** core's EventStore, with the snapshots it always keeps. */
export interface EsdbEventStore extends EventStore<EsdbPosition> {
  readSnapshot(stream: string): Promise<Snapshot | undefined>;
  writeSnapshot(stream: string, snapshot: Snapshot): Promise<void>;
}

const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;
/** The clients' own default deadline, for an append that carries a signal. */
const CLIENT_TIMEOUT_MS = 10_000;

/**
 * core's EventStore on EventStoreDB/KurrentDB: one stream per aggregate instance, envelopes stored
 * as CloudEvents (type = CE type, data = data, metadata = the other attributes), appends checked
 * against the expected revision, reads paged, `$all` read with a server-side filter, snapshots in
 * a companion stream.
 */
export function esdbEventStore(options: EsdbEventStoreOptions): EsdbEventStore {
  return new EsdbStore(options);
}

class EsdbStore implements EsdbEventStore {
  readonly name: string;
  readonly #client: EsdbClient;
  readonly #options: EsdbEventStoreOptions;
  readonly #pageSize: number;
  readonly #snapshotStream: (stream: string) => string;
  readonly #streamPrefix: (aggregate: string) => string;
  readonly #deadline: { deadline?: number };
  readonly #seen = new HighWaterMark();
  readonly #inDoubt = new InDoubt();
  #maxAppendSize: number;
  #closed = false;

  constructor(options: EsdbEventStoreOptions) {
    if (!options?.client || typeof options.client.appendToStream !== 'function') {
      throw new TypeError(
        'esdbEventStore: `client` must be an EventStoreDBClient or KurrentDBClient',
      );
    }
    this.#client = options.client;
    this.#options = options;
    this.name = options.name ?? 'esdb';
    this.#pageSize = positive('pageSize', options.pageSize ?? 500);
    this.#maxAppendSize = positive(
      'maxAppendSize',
      options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE,
    );
    this.#snapshotStream = options.snapshotStream ?? ((stream) => `snapshot-${stream}`);
    this.#streamPrefix = options.streamPrefix ?? ((aggregate) => `${aggregate}-`);
    this.#deadline =
      options.timeoutMs === undefined
        ? {}
        : { deadline: milliseconds('timeoutMs', options.timeoutMs) };
  }

  /**
   * One `appendToStream` with the expected revision. A repeat of ids already stored is reported
   * `duplicate` without an extra call when the server answers at or before a position this store
   * has seen (a new write always lands beyond), and with one read after a lost answer or a
   * WrongExpectedVersion, which are off the normal path.
   */
  async append(
    stream: string,
    envelopes: readonly Envelope[],
    expectedGeneration: number,
    options: AppendOptions = {},
  ): Promise<AppendResult<EsdbPosition>> {
    assertOpen(this.name, this.#closed);
    checkBatch(stream, envelopes, expectedGeneration, this.name);
    const { signal } = options;
    if (signal?.aborted) throw new OperationAborted(this.name, stream, signal.reason);
    const records = toRecords(this.name, stream, envelopes, this.#maxAppendSize);
    const key = (envelopes[0] as Envelope).id;
    if (this.#inDoubt.has(key)) {
      const stored = await this.#alreadyStored(stream, envelopes, expectedGeneration);
      this.#inDoubt.delete(key);
      if (stored) return stored;
    }
    let answer;
    try {
      answer = await this.#send(stream, records, expectedGeneration, signal);
    } catch (error) {
      const mapped = this.#appendError(error, stream, expectedGeneration);
      if (mapped instanceof ConcurrencyConflict) {
        const stored = await this.#alreadyStored(stream, envelopes, expectedGeneration);
        if (stored) return stored;
      } else if (!isRefusal(mapped)) this.#inDoubt.add(key);
      throw mapped;
    }
    const duplicate = answer.position !== undefined && this.#seen.covers(answer.position);
    this.#seen.see(answer.position);
    const next = Number(answer.nextExpectedRevision);
    return {
      generation: next + 1,
      events: envelopes.map((e) => receipt(e, duplicate, next, answer.position)),
    };
  }

  async *read(stream: string, from = 1): AsyncIterable<readonly Envelope[]> {
    assertOpen(this.name, this.#closed);
    if (!Number.isSafeInteger(from) || from < 1) {
      throw new InvalidEvent(`read needs a generation >= 1, got ${from}`, {
        target: this.name,
        stream,
      });
    }
    for (let revision = BigInt(from - 1); ;) {
      const page: Envelope[] = [];
      for await (const event of this.#readStream(stream, revision, 'forwards', this.#pageSize)) {
        revision = event.revision + 1n;
        this.#seen.see(event.position);
        page.push(toStoredEnvelope(this.name, event));
      }
      if (page.length > 0) yield page;
      if (page.length < this.#pageSize) return;
    }
  }

  /**
   * `$all` forwards from `after` (exclusive), one read call per page, filtered on the server (see
   * read-all-filter.ts); system events and snapshot records are left out.
   */
  async *readAll(options: ReadAllOptions = {}): AsyncIterable<readonly LoggedEnvelope[]> {
    assertOpen(this.name, this.#closed);
    const size = positive('pageSize', options.pageSize ?? this.#pageSize);
    const aggregates = options.aggregates && new Set(options.aggregates);
    if (aggregates?.size === 0) return;
    const prefixes = aggregates && [...aggregates].map(this.#streamPrefix);
    const filter = serverFilter(prefixes);
    let after = options.after === undefined ? undefined : parsePosition(options.after);
    for (;;) {
      const page: LoggedEnvelope[] = [];
      let count = 0;
      const reading = this.#client.readAll({
        fromPosition: after ?? 'start',
        direction: 'forwards',
        maxCount: size,
        filter,
        ...this.#deadline,
      });
      let last: EsdbLogPosition | undefined;
      for await (const event of recordsOf(reading, { target: this.name, stream: '$all' })) {
        count++;
        const at = positionOf(this.name, event);
        last = at;
        this.#seen.see(at);
        // The server reads from a position inclusively; `after` is exclusive.
        if ((after && samePosition(at, after)) || !isCandidate(event, prefixes)) continue;
        const envelope = toStoredEnvelope(this.name, event);
        if (isWanted(envelope, aggregates)) page.push({ position: positionText(at), envelope });
      }
      if (page.length > 0) yield page;
      if (count < size || !last) return;
      after = last;
    }
  }

  async readSnapshot(stream: string): Promise<Snapshot | undefined> {
    assertOpen(this.name, this.#closed);
    const snapshots = this.#snapshotStream(stream);
    for await (const event of this.#readStream(snapshots, 'end', 'backwards', 1)) {
      return parseSnapshot(this.name, snapshots, stream, event);
    }
    return undefined;
  }

  async writeSnapshot(stream: string, snapshot: Snapshot): Promise<void> {
    assertOpen(this.name, this.#closed);
    const snapshots = this.#snapshotStream(stream);
    const record = snapshotRecord(this.name, snapshots, snapshot);
    try {
      await this.#client.appendToStream(snapshots, [record], {
        expectedRevision: 'any',
        streamState: 'any',
        ...this.#deadline,
      });
    } catch (error) {
      throw fromClientError(error, { target: this.name, stream: snapshots, writing: true });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#options.disposeClient) await this.#client.dispose?.();
  }

  #send(
    stream: string,
    records: EsdbEventData[],
    expectedGeneration: number,
    signal: AbortSignal | undefined,
  ) {
    const expected: EsdbExpectedRevision =
      expectedGeneration === 0 ? 'no_stream' : BigInt(expectedGeneration - 1);
    const sending = this.#client.appendToStream(stream, records, {
      expectedRevision: expected,
      streamState: expected,
      ...this.#deadline,
    });
    if (!signal) return sending;
    // The clients take no AbortSignal: the kit's deadline stops waiting when it fires.
    return withDeadline(sending, {
      timeoutMs: this.#deadline.deadline ?? CLIENT_TIMEOUT_MS,
      onTimeout: () =>
        new BrokerUnavailable(this.name, `stream "${stream}": the append did not answer in time`, {
          timedOut: true,
        }),
      signal,
      target: this.name,
      stream,
    });
  }

  #appendError(error: unknown, stream: string, expectedGeneration: number): Error {
    const max = (error as { maxAppendSize?: unknown } | null)?.maxAppendSize;
    if (typeof max === 'number' && max > 0) this.#maxAppendSize = max;
    return fromClientError(error, { target: this.name, stream, expectedGeneration, writing: true });
  }

  /** Receipts saying duplicate when the stream holds exactly these ids at these generations. */
  async #alreadyStored(
    stream: string,
    envelopes: readonly Envelope[],
    expectedGeneration: number,
  ): Promise<AppendResult<EsdbPosition> | undefined> {
    const found: EsdbRecordedEvent[] = [];
    const from = BigInt(expectedGeneration);
    for await (const event of this.#readStream(stream, from, 'forwards', envelopes.length)) {
      found.push(event);
    }
    if (found.length !== envelopes.length || found.some((e, i) => e.id !== envelopes[i]?.id)) {
      return undefined;
    }
    const next = expectedGeneration + envelopes.length - 1;
    return {
      generation: next + 1,
      events: envelopes.map((e, i) => receipt(e, true, next, found[i]?.position)),
    };
  }

  #readStream(
    stream: string,
    fromRevision: bigint | 'end',
    direction: 'forwards' | 'backwards',
    maxCount: number,
  ): AsyncIterable<EsdbRecordedEvent> {
    const reading = this.#client.readStream(stream, {
      fromRevision,
      direction,
      maxCount,
      ...this.#deadline,
    });
    return recordsOf(reading, { target: this.name, stream });
  }
}

/** Errors that say the server wrote nothing; after any other, the append may have landed. */
function isRefusal(error: Error): boolean {
  return [ConcurrencyConflict, InvalidEvent, StreamDeleted, AccessDenied, NotLeader].some(
    (type) => error instanceof type,
  );
}

function positionOf(target: string, event: EsdbRecordedEvent): EsdbLogPosition {
  if (event.position) return event.position;
  throw new InvalidEvent('the server sent an event of $all without its log position', {
    target,
    stream: event.streamId,
    type: event.type,
  });
}

function receipt(
  envelope: Envelope,
  duplicate: boolean,
  next: number,
  at: EsdbLogPosition | undefined,
): EventReceipt<EsdbPosition> {
  const position: EsdbPosition = {
    revision: envelope.generation - 1,
    nextExpectedRevision: next,
    ...(at ? { commitPosition: at.commit.toString(), preparePosition: at.prepare.toString() } : {}),
  };
  return { id: envelope.id, generation: envelope.generation, duplicate, position };
}

function milliseconds(option: string, value: number): number {
  const problem = millisecondsProblem(option, value, 'above-zero');
  if (problem !== undefined) throw new TypeError(`esdbEventStore: ${problem}`);
  return value;
}

function positive(option: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`esdbEventStore: ${option} must be a whole number >= 1, got ${value}`);
  }
  return value;
}
