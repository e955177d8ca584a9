import { randomUUID } from 'node:crypto';
import type { Journal } from './journal.js';
import {
  DELETED_STREAM,
  METADATA_EVENT_TYPE,
  METASTREAM_METADATA,
  NO_METADATA,
  TOMBSTONE_EVENT_TYPE,
  isMetastream,
  metadataWithTruncateBefore,
  metastreamOf,
  originalStreamOf,
  parseMetadata,
  type StreamMetadata,
} from './stream-metadata.js';

/**
 * The test server's storage: streams in memory with EventStoreDB's write rules — expected-revision
 * checks, idempotent re-appends of the same event ids, soft delete (the stream can be recreated and
 * keeps counting revisions) and tombstones (gone for good), each written as EventStoreDB writes it:
 * a `$metadata` event in `$$<stream>`, a `$streamDeleted` record. One log holds every event in
 * commit order for `$all`. The rules follow the server's commit
 * check; `revision` is a stream's event number (first event = 0), `-1` means no stream. With a
 * journal, every write is in its file too and a log made on the same file starts with them.
 */

/** What a writer expects: any state, no stream, some stream, or an exact last revision. */
export type Expected = 'any' | 'no_stream' | 'stream_exists' | number;

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

export interface RecordedEvent extends ProposedEvent {
  readonly stream: string;
  /** The stream's event number; a tombstone's is EventStoreDB's largest, 2^63 - 1. */
  readonly revision: bigint;
  /** Byte offset in the (imaginary) transaction log; commit and prepare position are the same. */
  readonly position: number;
  /** .NET ticks (100 ns since the Unix epoch), as the server sends `created`. */
  readonly created: bigint;
}

export type WriteOutcome =
  | { readonly kind: 'written'; readonly revision: number; readonly position: number | undefined }
  | { readonly kind: 'wrong-expected-version'; readonly current: number }
  | { readonly kind: 'stream-deleted' };

export type ReadOutcome =
  | { readonly kind: 'events'; readonly events: Iterable<RecordedEvent> }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'stream-deleted' };

/** Where a read of the whole log starts: its ends, or a commit position. */
export type LogPosition = 'start' | 'end' | number;

interface Stream {
  readonly events: RecordedEvent[];
  tombstoned: boolean;
}

/** Size of a record's fixed part in the log, so positions grow the way byte offsets do. */
const RECORD_OVERHEAD = 120;

export class MemoryLog {
  readonly #streams = new Map<string, Stream>();
  /** Where each event id was written: the server's committed-events cache, never evicted here. */
  readonly #ids = new Map<string, { stream: string; revision: number }>();
  /** Every event in commit order: what $all reads, system events included. */
  readonly #all: RecordedEvent[] = [];
  readonly #watchers = new Set<() => void>();
  #position = 0;
  readonly #journal: Journal | undefined;
  /** The records of the write under way, for the journal. */
  #unjournaled: RecordedEvent[] = [];

  constructor(journal?: Journal) {
    this.#journal = journal;
    for (const recorded of journal?.read() ?? []) this.#restore(recorded);
  }

  /** The last revision of a stream (-1 when it has none), for WrongExpectedVersion answers. */
  current(stream: string): number {
    return (this.#streams.get(stream)?.events.length ?? 0) - 1;
  }

  /** The stream's metadata in force: its metastream's last event. */
  metadata(streamName: string): StreamMetadata {
    if (isMetastream(streamName)) return METASTREAM_METADATA;
    const last = this.#streams.get(metastreamOf(streamName))?.events.at(-1);
    return last ? parseMetadata(last.data) : NO_METADATA;
  }

  /** Events in the whole log. */
  get length(): number {
    return this.#all.length;
  }

  /** The event at an index of the whole log, in commit order. */
  at(index: number): RecordedEvent | undefined {
    return this.#all[index];
  }

  /** The index of the first event at or after a commit position. */
  indexFrom(position: number): number {
    let low = 0;
    let high = this.#all.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#all[middle] as RecordedEvent).position < position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Calls `onRecorded` after each write that added events; the returned function stops it. */
  watch(onRecorded: () => void): () => void {
    this.#watchers.add(onRecorded);
    return () => this.#watchers.delete(onRecorded);
  }

  append(streamName: string, expected: Expected, events: readonly ProposedEvent[]): WriteOutcome {
    const stream = this.#streams.get(streamName);
    if (stream?.tombstoned) return { kind: 'stream-deleted' };
    const current = this.current(streamName);
    const check = this.#check(streamName, stream, current, expected, events);
    if (check.kind !== 'ok') return check;
    if (events.length === 0) return { kind: 'written', revision: current, position: undefined };
    const wasSoftDeleted = this.metadata(streamName).softDeleted;
    const original = isMetastream(streamName) ? originalStreamOf(streamName) : undefined;
    const originalWasSoftDeleted = original !== undefined && this.metadata(original).softDeleted;
    let position = 0;
    for (const event of events) {
      position = this.#record(streamName, event).position;
      this.#ids.set(event.id, { stream: streamName, revision: this.current(streamName) });
    }
    // As the server does: writing to a soft-deleted stream (or to its metastream) undeletes it,
    // keeping the events before the delete hidden behind a new $tb.
    if (wasSoftDeleted) this.#truncateBefore(streamName, current + 1);
    if (original !== undefined && originalWasSoftDeleted)
      this.#truncateBefore(original, this.current(original) + 1);
    this.#committed();
    return { kind: 'written', revision: this.current(streamName), position };
  }

  /** Soft delete: metadata with the largest `$tb`; reads find no stream, a later append recreates it. */
  delete(streamName: string, expected: Expected): WriteOutcome {
    return this.#remove(streamName, expected, () =>
      this.#record(
        metastreamOf(streamName),
        systemEvent(
          METADATA_EVENT_TYPE,
          'application/json',
          metadataWithTruncateBefore({}, DELETED_STREAM),
        ),
      ),
    );
  }

  /** Hard delete: a `$streamDeleted` record; the stream can never be read or written again. */
  tombstone(streamName: string, expected: Expected): WriteOutcome {
    return this.#remove(streamName, expected, () => {
      const stream = this.#streams.get(streamName) ?? this.#create(streamName);
      stream.tombstoned = true;
      return this.#log(
        streamName,
        DELETED_STREAM,
        systemEvent(TOMBSTONE_EVENT_TYPE, 'application/octet-stream', new Uint8Array()),
      );
    });
  }

  /**
   * A stream's events from `from` (a revision, or 'start'/'end') in a direction, at most `count`,
   * leaving out what its metadata hides. Lazy, so a long stream is sent as it is read.
   */
  read(
    streamName: string,
    from: number | 'start' | 'end',
    direction: 'forwards' | 'backwards',
    count: number,
  ): ReadOutcome {
    const stream = this.#streams.get(streamName);
    if (stream?.tombstoned) return { kind: 'stream-deleted' };
    const metadata = this.metadata(streamName);
    if (!stream || metadata.softDeleted || stream.events.length === 0) return { kind: 'not-found' };
    const first = firstReadable(stream.events, metadata);
    return { kind: 'events', events: walk(stream.events, first, from, direction, count) };
  }

  /**
   * The whole log from a position in a direction, the events `filter` keeps, at most `count`. As on
   * the server, stream metadata does not hide events here: deleted ones stay until a scavenge.
   * Forwards includes the event at `from`, backwards starts before it.
   */
  *readAll(
    from: LogPosition,
    direction: 'forwards' | 'backwards',
    count: number,
    filter: (event: RecordedEvent) => boolean,
  ): Generator<RecordedEvent> {
    const forwards = direction === 'forwards';
    const start = from === 'start' ? 0 : from === 'end' ? this.#all.length : this.indexFrom(from);
    let n = 0;
    for (let i = forwards ? start : start - 1; n < count; i += forwards ? 1 : -1) {
      const event = this.#all[i];
      if (!event) return;
      if (filter(event)) {
        n++;
        yield event;
      }
    }
  }

  #check(
    streamName: string,
    stream: Stream | undefined,
    current: number,
    expected: Expected,
    events: readonly ProposedEvent[],
  ): { kind: 'ok' } | WriteOutcome {
    const wrong = { kind: 'wrong-expected-version', current } as const;
    const softDeleted = this.metadata(streamName).softDeleted;
    if (expected === 'stream_exists') {
      if (softDeleted) return { kind: 'stream-deleted' };
      // A stream that has only metadata exists for the server.
      if (current < 0 && this.current(metastreamOf(streamName)) < 0) return wrong;
    }
    if (expected === 'any' || expected === 'stream_exists') {
      const repeat = this.#repeatAnywhere(streamName, events);
      if (repeat) return repeat === 'corrupt' ? wrong : repeat;
      return { kind: 'ok' };
    }
    const revision = expected === 'no_stream' ? -1 : expected;
    if (revision < current) {
      const repeat = this.#repeatAt(streamName, stream, revision, events);
      if (repeat !== 'none') return repeat === 'corrupt' ? wrong : repeat;
      // A soft-deleted stream may be recreated once with "no stream".
      return expected === 'no_stream' && softDeleted ? { kind: 'ok' } : wrong;
    }
    return revision > current ? wrong : { kind: 'ok' };
  }
  /** With "any": the same ids already written, in order, anywhere in this stream. */
  #repeatAnywhere(
    streamName: string,
    events: readonly ProposedEvent[],
  ): WriteOutcome | 'corrupt' | undefined {
    let last: number | undefined;
    for (const [i, event] of events.entries()) {
      const seen = this.#ids.get(event.id);
      if (!seen || seen.stream !== streamName) return i === 0 ? undefined : 'corrupt';
      last = seen.revision;
    }
    return last === undefined ? undefined : this.#already(streamName, last);
  }

  /** With an exact revision behind the stream's end: the same ids right after that revision. */
  #repeatAt(
    streamName: string,
    stream: Stream | undefined,
    revision: number,
    events: readonly ProposedEvent[],
  ): WriteOutcome | 'corrupt' | 'none' {
    for (const [i, event] of events.entries()) {
      if (stream?.events[revision + 1 + i]?.id !== event.id) return i === 0 ? 'none' : 'corrupt';
    }
    return events.length === 0 ? 'none' : this.#already(streamName, revision + events.length);
  }

  /** An idempotent write answers with where the events already are. */
  #already(streamName: string, revision: number): WriteOutcome {
    const event = this.#streams.get(streamName)?.events[revision];
    return { kind: 'written', revision, position: event?.position };
  }

  #remove(streamName: string, expected: Expected, write: () => RecordedEvent): WriteOutcome {
    const stream = this.#streams.get(streamName);
    if (stream?.tombstoned) return { kind: 'stream-deleted' };
    const current = this.current(streamName);
    const matches =
      expected === 'any' ||
      (expected === 'no_stream' && current < 0) ||
      (expected === 'stream_exists' && current >= 0 && !this.metadata(streamName).softDeleted) ||
      expected === current;
    if (!matches) return { kind: 'wrong-expected-version', current };
    const { position } = write();
    this.#committed();
    return { kind: 'written', revision: current, position };
  }

  /** Metadata of `streamName` as it stands, with `$tb` set: how the server undeletes a stream. */
  #truncateBefore(streamName: string, revision: number): void {
    const data = metadataWithTruncateBefore(this.metadata(streamName).raw, BigInt(revision));
    this.#record(
      metastreamOf(streamName),
      systemEvent(METADATA_EVENT_TYPE, 'application/json', data),
    );
  }

  /** Appends an event to its stream and to the log. */
  #record(streamName: string, event: ProposedEvent): RecordedEvent {
    const stream = this.#streams.get(streamName) ?? this.#create(streamName);
    const recorded = this.#log(streamName, BigInt(stream.events.length), event);
    stream.events.push(recorded);
    return recorded;
  }

  /** Appends a record to the log only, at the next position. */
  #log(streamName: string, revision: bigint, event: ProposedEvent): RecordedEvent {
    const created = BigInt(Date.now()) * 10_000n;
    const recorded = { ...event, stream: streamName, revision, position: this.#position, created };
    this.#all.push(recorded);
    this.#position += recordSize(recorded);
    if (this.#journal) this.#unjournaled.push(recorded);
    return recorded;
  }

  /** A record of the journal back where it was written, with the id it was appended under. */
  #restore(recorded: RecordedEvent): void {
    const stream = this.#streams.get(recorded.stream) ?? this.#create(recorded.stream);
    if (isTombstone(recorded)) stream.tombstoned = true;
    else {
      stream.events.push(recorded);
      // The server's own events (a delete's metadata, `$tb`) have random ids: no harm indexed.
      this.#ids.set(recorded.id, { stream: recorded.stream, revision: Number(recorded.revision) });
    }
    this.#all.push(recorded);
    this.#position = recorded.position + recordSize(recorded);
  }

  /** Ends a write: its records into the journal before anyone hears of them, then the watchers. */
  #committed(): void {
    this.#journal?.write(this.#unjournaled);
    this.#unjournaled = [];
    for (const watcher of this.#watchers) watcher();
  }

  #create(streamName: string): Stream {
    const stream: Stream = { events: [], tombstoned: false };
    this.#streams.set(streamName, stream);
    return stream;
  }
}

/** The bytes a record takes in the log, so that positions grow as byte offsets do. */
function recordSize(recorded: RecordedEvent): number {
  const { stream, type, data, metadata } = recorded;
  return RECORD_OVERHEAD + stream.length + type.length + data.length + metadata.length;
}

function isTombstone(recorded: RecordedEvent): boolean {
  return recorded.revision === DELETED_STREAM && recorded.type === TOMBSTONE_EVENT_TYPE;
}

/** An event the server writes itself (metadata, tombstone), with an id of its own. */
function systemEvent(type: string, contentType: string, data: Uint8Array): ProposedEvent {
  return { id: randomUUID(), type, contentType, data, metadata: new Uint8Array() };
}

/** The first revision a stream read returns, after `$tb`, `$maxCount` and `$maxAge`. */
function firstReadable(events: readonly RecordedEvent[], metadata: StreamMetadata): number {
  const { truncateBefore = 0, maxCount, maxAge } = metadata;
  let first = Math.max(truncateBefore, maxCount === undefined ? 0 : events.length - maxCount);
  if (maxAge !== undefined) {
    const cutoff = BigInt(Date.now() - maxAge * 1000) * 10_000n;
    while (first < events.length && (events[first] as RecordedEvent).created < cutoff) first++;
  }
  return first;
}

function* walk(
  events: readonly RecordedEvent[],
  first: number,
  from: number | 'start' | 'end',
  direction: 'forwards' | 'backwards',
  count: number,
): Generator<RecordedEvent> {
  const last = events.length - 1;
  if (direction === 'forwards') {
    const start = from === 'start' ? first : from === 'end' ? last + 1 : Math.max(from, first);
    for (let r = start, n = 0; r <= last && n < count; r++, n++) yield events[r] as RecordedEvent;
  } else {
    const start = from === 'start' ? 0 : from === 'end' ? last : Math.min(from, last);
    for (let r = start, n = 0; r >= first && n < count; r--, n++) yield events[r] as RecordedEvent;
  }
}
