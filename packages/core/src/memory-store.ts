import type { AppendResult, EventStore, Snapshot } from './store.js';
import type { Envelope } from './envelope.js';
import { ConcurrencyConflict, InvalidEvent } from './errors.js';
import { checkBatch } from './batch.js';

/**
 * The embedded default event store: streams in memory, with the same append rules as a real one
 * (expected generation, idempotent re-append of the same ids). Stored envelopes are frozen copies.
 */
export class InMemoryEventStore implements EventStore {
  readonly #streams = new Map<string, Envelope[]>();
  readonly #snapshots = new Map<string, Snapshot>();

  async append(
    stream: string,
    envelopes: readonly Envelope[],
    expectedGeneration: number,
  ): Promise<AppendResult> {
    checkBatch(stream, envelopes, expectedGeneration);
    const existing = this.#streams.get(stream) ?? [];
    if (existing.length !== expectedGeneration) {
      const same = envelopes.every((e) => existing[e.generation - 1]?.id === e.id);
      if (!same)
        throw new ConcurrencyConflict(stream, expectedGeneration, existing.length, 'memory');
      return { generation: existing.length, events: envelopes.map((e) => receipt(e, true)) };
    }
    for (const envelope of envelopes) existing.push(deepFreeze(structuredClone(envelope)));
    this.#streams.set(stream, existing);
    return { generation: existing.length, events: envelopes.map((e) => receipt(e, false)) };
  }

  async *read(stream: string, from = 1): AsyncIterable<Envelope> {
    if (!Number.isInteger(from) || from < 1) {
      throw new InvalidEvent(`read needs a generation >= 1, got ${from}`, { stream });
    }
    const events = this.#streams.get(stream) ?? [];
    for (let i = from - 1; i < events.length; i++) yield events[i] as Envelope;
  }

  async readSnapshot(stream: string): Promise<Snapshot | undefined> {
    return this.#snapshots.get(stream);
  }

  async writeSnapshot(stream: string, snapshot: Snapshot): Promise<void> {
    this.#snapshots.set(stream, deepFreeze(structuredClone(snapshot)));
  }

  /** The stream names, for inspection in tests. */
  streams(): string[] {
    return [...this.#streams.keys()];
  }
}

function receipt(envelope: Envelope, duplicate: boolean) {
  return {
    id: envelope.id,
    generation: envelope.generation,
    duplicate,
    position: { generation: envelope.generation },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
