import { checkBatch } from './adapter/batch.js';
import { siteOf } from './adapter/encode.js';
import { findNonJson, frozenJsonCopy, isJson } from './json.js';
import type { Envelope } from './envelope.js';
import { ConcurrencyConflict, InvalidEvent, OperationAborted, TargetClosed } from './errors.js';
import type { EventReceipt } from './publisher.js';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  LoggedEnvelope,
  ReadAllOptions,
  Snapshot,
} from './store.js';

export interface InMemoryEventStoreOptions {
  /** The store's name in receipts; default `memory`. */
  readonly name?: string;
  /** Events per page when reading; default 256. */
  readonly pageSize?: number;
}

/** Where an event sits in the in-memory store. */
export type InMemoryPosition = { readonly generation: number; readonly log: number };

/**
 * The embedded default event store: streams and one log in memory, with the same append rules as
 * a real store (expected generation, idempotent re-append of the same ids). Stored envelopes are
 * frozen copies, so a caller changing its data afterwards changes nothing stored.
 */
export class InMemoryEventStore implements EventStore<InMemoryPosition> {
  readonly name: string;
  readonly #streams = new Map<string, Envelope[]>();
  readonly #log: Envelope[] = [];
  readonly #snapshots = new Map<string, Snapshot>();
  readonly #pageSize: number;
  #closed = false;

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.name = options.name ?? 'memory';
    this.#pageSize = options.pageSize ?? 256;
    if (!Number.isInteger(this.#pageSize) || this.#pageSize < 1) {
      throw new TypeError(`InMemoryEventStore: pageSize must be a whole number >= 1`);
    }
  }

  async append(
    stream: string,
    envelopes: readonly Envelope[],
    expectedGeneration: number,
    options: AppendOptions = {},
  ): Promise<AppendResult<InMemoryPosition>> {
    if (this.#closed) throw new TargetClosed(this.name);
    checkBatch(stream, envelopes, expectedGeneration, this.name);
    for (const envelope of envelopes) {
      // Kept as JSON would keep it: a Date or NaN would come back changed.
      const data = envelope.data === undefined ? null : envelope.data;
      const notJson = isJson(data) ? undefined : findNonJson(data, '$.data');
      if (notJson) {
        throw new InvalidEvent(notJson, {
          ...siteOf(this.name, envelope),
          path: notJson.split(' ')[0],
        });
      }
    }
    if (options.signal?.aborted)
      throw new OperationAborted(this.name, stream, options.signal.reason);
    const existing = this.#streams.get(stream) ?? [];
    if (existing.length !== expectedGeneration) {
      const same = envelopes.every((e) => existing[e.generation - 1]?.id === e.id);
      if (!same) {
        throw new ConcurrencyConflict(stream, expectedGeneration, existing.length, this.name);
      }
      return {
        generation: existing.length,
        events: envelopes.map((e) => this.#receipt(e, true, this.#logIndexOf(e))),
      };
    }
    const events: EventReceipt<InMemoryPosition>[] = [];
    // The envelopes of one command share their metadata: one frozen copy serves them all.
    const first = (envelopes[0] as Envelope).metadata;
    const metadata = Object.freeze({ ...first });
    for (const envelope of envelopes) {
      const same = envelope.metadata === first || shallowEqual(envelope.metadata, metadata);
      const stored = freezeCopy(
        envelope,
        same ? metadata : Object.freeze({ ...envelope.metadata }),
      );
      existing.push(stored);
      events.push(this.#receipt(stored, false, this.#log.push(stored)));
    }
    this.#streams.set(stream, existing);
    return { generation: existing.length, events };
  }

  async *read(stream: string, from = 1): AsyncIterable<readonly Envelope[]> {
    if (!Number.isInteger(from) || from < 1) {
      throw new InvalidEvent(`read needs a generation >= 1, got ${from}`, { stream });
    }
    const events = this.#streams.get(stream) ?? [];
    for (let i = from - 1; i < events.length; i += this.#pageSize) {
      yield events.slice(i, i + this.#pageSize);
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<readonly LoggedEnvelope[]> {
    const start = options.after === undefined ? 0 : logIndex(options.after);
    const size = options.pageSize ?? this.#pageSize;
    const wanted = options.aggregates ? new Set(options.aggregates) : undefined;
    const end = this.#log.length; // the log as it stands now
    let page: LoggedEnvelope[] = [];
    for (let i = start; i < end; i++) {
      const envelope = this.#log[i] as Envelope;
      if (wanted && !wanted.has(envelope.aggregate)) continue;
      page.push({ position: String(i + 1), envelope });
      if (page.length === size) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }

  async readSnapshot(stream: string): Promise<Snapshot | undefined> {
    return this.#snapshots.get(stream);
  }

  async writeSnapshot(stream: string, snapshot: Snapshot): Promise<void> {
    if (this.#closed) throw new TargetClosed(this.name);
    this.#snapshots.set(stream, deepFreeze(structuredClone(snapshot)));
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /** The stream names, for inspection in tests. */
  streams(): string[] {
    return [...this.#streams.keys()];
  }

  /** How many events the log holds. */
  get size(): number {
    return this.#log.length;
  }

  #logIndexOf(envelope: Envelope): number {
    return this.#log.findIndex((e) => e.id === envelope.id) + 1;
  }

  #receipt(envelope: Envelope, duplicate: boolean, log: number): EventReceipt<InMemoryPosition> {
    return {
      id: envelope.id,
      generation: envelope.generation,
      duplicate,
      position: { generation: envelope.generation, log },
    };
  }
}

/** The position text readAll gives back as a log index; anything else is the caller's mistake. */
function logIndex(position: string): number {
  const index = /^\d{1,15}$/.test(position) ? Number(position) : NaN;
  if (!Number.isSafeInteger(index)) {
    throw new TypeError(`not a position of the in-memory store's log: ${JSON.stringify(position)}`);
  }
  return index;
}

/**
 * A frozen copy of an envelope. Its data was found to be JSON, so a frozen deep copy keeps what
 * a JSON round trip would, faster than one (and than structuredClone). `metadata` is the frozen
 * metadata to keep with it.
 */
function freezeCopy(envelope: Envelope, metadata: Envelope['metadata']): Envelope {
  const data: unknown =
    envelope.data === null || typeof envelope.data !== 'object'
      ? envelope.data
      : frozenJsonCopy(envelope.data);
  // Every field named, not spread: an object literal keeps all ten in the object itself, where
  // a spread copy puts the later ones in a separate property array, a second memory read per
  // field for every replay of the stream.
  return Object.freeze({
    id: envelope.id,
    aggregate: envelope.aggregate,
    stream: envelope.stream,
    generation: envelope.generation,
    type: envelope.type,
    version: envelope.version,
    source: envelope.source,
    time: envelope.time,
    data,
    metadata,
  });
}

function shallowEqual(a: Envelope['metadata'], b: Envelope['metadata']): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
