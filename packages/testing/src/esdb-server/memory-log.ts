/**
 * The test server's storage: streams in memory with EventStoreDB's write rules — expected-revision
 * checks, idempotent re-appends of the same event ids, soft delete (the stream can be recreated and
 * keeps counting revisions) and tombstones (gone for good). The rules follow the server's commit
 * check; `revision` is a stream's event number (first event = 0), `-1` means no stream.
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
  readonly revision: number;
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

interface Stream {
  readonly events: RecordedEvent[];
  /** Events below this revision were soft-deleted and are not read any more. */
  truncateBefore: number;
  softDeleted: boolean;
  tombstoned: boolean;
}

/** Size of a record's fixed part in the log, so positions grow the way byte offsets do. */
const RECORD_OVERHEAD = 120;

export class MemoryLog {
  readonly #streams = new Map<string, Stream>();
  /** Where each event id was written: the server's committed-events cache, never evicted here. */
  readonly #ids = new Map<string, { stream: string; revision: number }>();
  #position = 0;

  /** The last revision of a stream (-1 when it has none), for WrongExpectedVersion answers. */
  current(stream: string): number {
    return (this.#streams.get(stream)?.events.length ?? 0) - 1;
  }

  append(streamName: string, expected: Expected, events: readonly ProposedEvent[]): WriteOutcome {
    const stream = this.#streams.get(streamName);
    if (stream?.tombstoned) return { kind: 'stream-deleted' };
    const current = this.current(streamName);
    const check = this.#check(streamName, stream, current, expected, events);
    if (check.kind !== 'ok') return check;
    if (events.length === 0) return { kind: 'written', revision: current, position: undefined };
    const target = stream ?? this.#create(streamName);
    if (target.softDeleted) {
      target.softDeleted = false;
      target.truncateBefore = current + 1;
    }
    const created = BigInt(Date.now()) * 10_000n;
    let position = 0;
    for (const event of events) {
      position = this.#position;
      const revision = target.events.length;
      target.events.push({ ...event, stream: streamName, revision, position, created });
      this.#ids.set(event.id, { stream: streamName, revision });
      this.#position +=
        RECORD_OVERHEAD + event.type.length + event.data.length + event.metadata.length;
    }
    return { kind: 'written', revision: target.events.length - 1, position };
  }

  /** Soft delete: reads find no stream, and a later append recreates it, numbering on. */
  delete(streamName: string, expected: Expected): WriteOutcome {
    return this.#remove(streamName, expected, (stream) => {
      stream.softDeleted = true;
      stream.truncateBefore = stream.events.length;
    });
  }

  /** Hard delete: the stream can never be read or written again. */
  tombstone(streamName: string, expected: Expected): WriteOutcome {
    return this.#remove(streamName, expected, (stream) => {
      stream.tombstoned = true;
    });
  }

  /**
   * Events from `from` (a revision, or 'start'/'end') in a direction, at most `count`. Lazy, so a
   * long stream is sent as it is read.
   */
  read(
    streamName: string,
    from: number | 'start' | 'end',
    direction: 'forwards' | 'backwards',
    count: number,
  ): ReadOutcome {
    const stream = this.#streams.get(streamName);
    if (stream?.tombstoned) return { kind: 'stream-deleted' };
    if (!stream || stream.softDeleted || stream.events.length === 0) return { kind: 'not-found' };
    return { kind: 'events', events: walk(stream, from, direction, count) };
  }

  #check(
    streamName: string,
    stream: Stream | undefined,
    current: number,
    expected: Expected,
    events: readonly ProposedEvent[],
  ): { kind: 'ok' } | WriteOutcome {
    const wrong = { kind: 'wrong-expected-version', current } as const;
    if (expected === 'any' || expected === 'stream_exists') {
      const repeat = this.#repeatAnywhere(streamName, events);
      if (repeat) return repeat === 'corrupt' ? wrong : repeat;
      if (expected === 'stream_exists' && (current < 0 || stream?.softDeleted)) return wrong;
      return { kind: 'ok' };
    }
    const revision = expected === 'no_stream' ? -1 : expected;
    if (revision < current) {
      const repeat = this.#repeatAt(streamName, stream, revision, events);
      if (repeat !== 'none') return repeat === 'corrupt' ? wrong : repeat;
      // A soft-deleted stream may be recreated once with "no stream".
      return expected === 'no_stream' && stream?.softDeleted ? { kind: 'ok' } : wrong;
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

  #remove(streamName: string, expected: Expected, mark: (stream: Stream) => void): WriteOutcome {
    const stream = this.#streams.get(streamName);
    if (stream?.tombstoned) return { kind: 'stream-deleted' };
    const current = this.current(streamName);
    const matches =
      expected === 'any' ||
      (expected === 'no_stream' && current < 0) ||
      (expected === 'stream_exists' && current >= 0 && !stream?.softDeleted) ||
      expected === current;
    if (!matches) return { kind: 'wrong-expected-version', current };
    mark(stream ?? this.#create(streamName));
    const position = this.#position;
    this.#position += RECORD_OVERHEAD + streamName.length;
    return { kind: 'written', revision: current, position };
  }

  #create(streamName: string): Stream {
    const stream: Stream = { events: [], truncateBefore: 0, softDeleted: false, tombstoned: false };
    this.#streams.set(streamName, stream);
    return stream;
  }
}

function* walk(
  stream: Stream,
  from: number | 'start' | 'end',
  direction: 'forwards' | 'backwards',
  count: number,
): Generator<RecordedEvent> {
  const last = stream.events.length - 1;
  const first = stream.truncateBefore;
  if (direction === 'forwards') {
    const start = from === 'start' ? first : from === 'end' ? last + 1 : Math.max(from, first);
    for (let r = start, n = 0; r <= last && n < count; r++, n++)
      yield stream.events[r] as RecordedEvent;
  } else {
    const start = from === 'start' ? 0 : from === 'end' ? last : Math.min(from, last);
    for (let r = start, n = 0; r >= first && n < count; r--, n++)
      yield stream.events[r] as RecordedEvent;
  }
}
