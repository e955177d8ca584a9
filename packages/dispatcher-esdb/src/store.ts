import { checkBatch, findNonJson, InvalidEvent } from '@eventfan/core';
import type { AppendResult, Envelope, EventReceipt, EventStore, Snapshot } from '@eventfan/core';
import { fromEsdbRecord, toCloudEvent, toEnvelope, toEsdbRecord } from '@eventfan/cloudevents';
import type {
  EsdbClient,
  EsdbJson,
  EsdbEventData,
  EsdbExpectedRevision,
  EsdbLogPosition,
  EsdbRecordedEvent,
} from './client.js';
import { fromClientError } from './errors.js';

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
  /** The target's name in receipts and errors; default `esdb`. */
  readonly name?: string;
  /** Events per read call when replaying; default 500. Memory stays at one page whatever the stream. */
  readonly pageSize?: number;
  /**
   * The server's maximum append size in bytes (EventStoreDB's `MaxAppendSize`, default 1 MiB):
   * larger appends are refused before anything is sent. The store lowers it when the server says
   * its limit is smaller.
   */
  readonly maxAppendSize?: number;
  /** The companion stream that keeps a stream's snapshots; default `snapshot-<stream>`. */
  readonly snapshotStream?: (stream: string) => string;
  /** Milliseconds a call may take; default the client's own (10 s). */
  readonly deadline?: number;
}

export interface AppendOptions {
  /**
   * Look first whether the stream already holds these event ids at these generations, so a repeat
   * is answered `duplicate: true` without writing. Default true; the dispatcher asks only on
   * retries. Without it EventStoreDB still drops the repeat, but cannot say it did.
   */
  readonly checkDuplicates?: boolean;
}

/** The event type of snapshot records in the companion stream. */
export const SNAPSHOT_EVENT_TYPE = 'eventfan.snapshot';

const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;

/**
 * core's EventStore on EventStoreDB/KurrentDB: one stream per aggregate instance, envelopes stored
 * as CloudEvents (type = CE type, data = data, metadata = the other attributes), appends checked
 * against the expected revision, reads paged, snapshots in a companion stream.
 */
export class EsdbEventStore implements EventStore {
  readonly name: string;
  readonly #client: EsdbClient;
  readonly #pageSize: number;
  readonly #snapshotStream: (stream: string) => string;
  readonly #deadline: number | undefined;
  #maxAppendSize: number;

  constructor(client: EsdbClient, options: EsdbEventStoreOptions = {}) {
    this.#client = client;
    this.name = options.name ?? 'esdb';
    this.#pageSize = positive('pageSize', options.pageSize ?? 500);
    this.#maxAppendSize = positive(
      'maxAppendSize',
      options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE,
    );
    this.#snapshotStream = options.snapshotStream ?? ((stream) => `snapshot-${stream}`);
    this.#deadline = options.deadline;
  }

  async append(
    stream: string,
    envelopes: readonly Envelope[],
    expectedGeneration: number,
    options: AppendOptions = {},
  ): Promise<AppendResult & { readonly events: readonly EventReceipt<EsdbPosition>[] }> {
    checkBatch(stream, envelopes, expectedGeneration);
    const records = this.#records(stream, envelopes);
    if (options.checkDuplicates ?? true) {
      const already = await this.#alreadyWritten(stream, envelopes, expectedGeneration);
      if (already) return already;
    }
    const expected: EsdbExpectedRevision =
      expectedGeneration === 0 ? 'no_stream' : BigInt(expectedGeneration - 1);
    let result;
    try {
      result = await this.#client.appendToStream(stream, records, {
        expectedRevision: expected,
        streamState: expected,
        ...this.#deadlineOption(),
      });
    } catch (error) {
      this.#learnLimit(error);
      throw fromClientError(error, {
        target: this.name,
        stream,
        expectedGeneration,
        writing: true,
      });
    }
    const next = Number(result.nextExpectedRevision);
    return {
      generation: next + 1,
      events: envelopes.map((e) => receipt(e, false, next, result.position)),
    };
  }

  /** The stream's envelopes from generation `from`, one page in memory at a time. */
  async *read(stream: string, from = 1): AsyncIterable<Envelope> {
    if (!Number.isSafeInteger(from) || from < 1) {
      throw new InvalidEvent(`read needs a generation >= 1, got ${from}`, { stream });
    }
    for (let revision = BigInt(from - 1); ;) {
      let count = 0;
      for await (const event of this.#page(stream, revision, 'forwards', this.#pageSize)) {
        count++;
        revision = event.revision + 1n;
        yield this.#envelope(stream, event);
      }
      if (count < this.#pageSize) return;
    }
  }

  async readSnapshot(stream: string): Promise<Snapshot | undefined> {
    const snapshots = this.#snapshotStream(stream);
    for await (const event of this.#page(snapshots, 'end', 'backwards', 1)) {
      return parseSnapshot(snapshots, stream, event);
    }
    return undefined;
  }

  async writeSnapshot(stream: string, snapshot: Snapshot): Promise<void> {
    const snapshots = this.#snapshotStream(stream);
    const bad = findNonJson(snapshot.state);
    if (bad)
      throw new InvalidEvent(`snapshot state is not JSON: ${bad}`, {
        stream: snapshots,
        generation: snapshot.generation,
      });
    const record: EsdbEventData = {
      id: globalThis.crypto.randomUUID(),
      contentType: 'application/json',
      type: SNAPSHOT_EVENT_TYPE,
      data: { stream, generation: snapshot.generation, time: snapshot.time, state: snapshot.state },
      metadata: undefined,
    };
    try {
      await this.#client.appendToStream(snapshots, [record], {
        expectedRevision: 'any',
        streamState: 'any',
        ...this.#deadlineOption(),
      });
    } catch (error) {
      throw fromClientError(error, { target: this.name, stream: snapshots, writing: true });
    }
  }

  /** The records to append, refused before sending when they cannot be stored. */
  #records(stream: string, envelopes: readonly Envelope[]): EsdbEventData[] {
    let size = 0;
    const records = envelopes.map((envelope) => {
      const where = { stream, generation: envelope.generation, type: envelope.type };
      const bad = findNonJson(envelope.data);
      if (bad) throw new InvalidEvent(`data is not JSON: ${bad}`, where);
      const record = toEsdbRecord(toCloudEvent(envelope));
      size +=
        Buffer.byteLength(JSON.stringify(record.data ?? null)) +
        Buffer.byteLength(JSON.stringify(record.metadata));
      // JSON data (checked above) always makes an application/json record.
      return {
        id: record.id,
        contentType: 'application/json' as const,
        type: record.type,
        data: record.data as EsdbJson,
        metadata: record.metadata,
      };
    });
    if (size > this.#maxAppendSize) {
      throw new InvalidEvent(
        `the batch is ${size} bytes, over the server's maximum append size of ${this.#maxAppendSize} bytes: nothing was sent`,
        { stream },
      );
    }
    return records;
  }

  /** Receipts saying duplicate when the stream already holds exactly these ids at these generations. */
  async #alreadyWritten(
    stream: string,
    envelopes: readonly Envelope[],
    expectedGeneration: number,
  ) {
    const found: EsdbRecordedEvent[] = [];
    for await (const event of this.#page(
      stream,
      BigInt(expectedGeneration),
      'forwards',
      envelopes.length,
    ))
      found.push(event);
    if (
      found.length !== envelopes.length ||
      found.some((event, i) => event.id !== envelopes[i]?.id)
    )
      return undefined;
    const next = expectedGeneration + envelopes.length - 1;
    return {
      generation: next + 1,
      events: envelopes.map((e, i) => receipt(e, true, next, found[i]?.position)),
    };
  }

  /**
   * One read call's events; a missing stream has none. A caller that stops early leaves the rest of
   * the page to be read here: a read cut off client-side would keep its call open on the client.
   */
  async *#page(
    stream: string,
    fromRevision: bigint | 'end',
    direction: 'forwards' | 'backwards',
    maxCount: number,
  ): AsyncIterable<EsdbRecordedEvent> {
    const reading = this.#client.readStream(stream, {
      fromRevision,
      direction,
      maxCount,
      ...this.#deadlineOption(),
    });
    const events = reading[Symbol.asyncIterator]();
    let done = false;
    try {
      for (let next = await events.next(); !next.done; next = await events.next()) {
        if (next.value.event) yield next.value.event;
      }
      done = true;
    } catch (error) {
      done = true;
      if (isStreamNotFound(error)) return;
      throw fromClientError(error, { target: this.name, stream });
    } finally {
      if (!done) await drain(events);
    }
  }

  #envelope(stream: string, event: EsdbRecordedEvent): Envelope {
    try {
      return toEnvelope(fromEsdbRecord(event));
    } catch (error) {
      throw new InvalidEvent(
        `revision ${event.revision} (${event.type}) is not an eventfan event: ${error instanceof Error ? error.message : String(error)}`,
        { stream, generation: Number(event.revision) + 1, type: event.type },
      );
    }
  }

  #learnLimit(error: unknown): void {
    const max = (error as { maxAppendSize?: unknown } | null)?.maxAppendSize;
    if (typeof max === 'number' && max > 0) this.#maxAppendSize = max;
  }

  #deadlineOption(): { deadline?: number } {
    return this.#deadline === undefined ? {} : { deadline: this.#deadline };
  }
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

function parseSnapshot(snapshots: string, stream: string, event: EsdbRecordedEvent): Snapshot {
  const data = event.data as Partial<Snapshot> | undefined;
  const valid =
    event.type === SNAPSHOT_EVENT_TYPE &&
    typeof data === 'object' &&
    data !== null &&
    Number.isSafeInteger(data.generation) &&
    typeof data.time === 'string' &&
    'state' in data;
  if (!valid) {
    throw new InvalidEvent(`the latest record of the snapshot stream is not an eventfan snapshot`, {
      stream: snapshots,
      type: event.type,
    });
  }
  return {
    stream,
    generation: data.generation as number,
    time: data.time as string,
    state: data.state,
  };
}

async function drain(events: AsyncIterator<unknown>): Promise<void> {
  try {
    while (!(await events.next()).done);
  } catch {
    // The caller has left already; a failure now has no one to tell.
  }
}

function isStreamNotFound(error: unknown): boolean {
  return (error as { type?: unknown } | null)?.type === 'stream-not-found';
}

function positive(option: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new TypeError(`${option} must be a whole number >= 1, got ${value}`);
  return value;
}
