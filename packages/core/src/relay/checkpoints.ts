import { EventfanError } from '../errors.js';
import type { LogPosition } from '../store.js';

/** Where a relay got to for one target, and the version it was saved at. */
export interface Checkpoint {
  readonly position: LogPosition;
  /** 1 for the first save, then +1 on each: the expected revision of the next save. */
  readonly version: number;
}

/**
 * Where relays keep each target's position in the store's log. A save names the version it
 * expects to replace (0 for none), so of two relays on one target only one can go on: the other
 * gets CheckpointConflict and stands down instead of publishing twice.
 */
export interface Checkpoints {
  load(key: string): Promise<Checkpoint | undefined>;
  /** Saves `position` if the key is still at `expectedVersion`; resolves with the new version. */
  save(key: string, position: LogPosition, expectedVersion: number): Promise<number>;
}

/** Another relay saved this target's checkpoint first: this one stands down. */
export class CheckpointConflict extends EventfanError {
  constructor(
    readonly key: string,
    readonly expectedVersion: number,
    readonly actualVersion: number | undefined,
  ) {
    super(
      'CHECKPOINT_CONFLICT',
      `Checkpoint "${key}" is at version ${actualVersion ?? 'unknown'}, not ${expectedVersion}: another relay publishes to this target, so this one stands down`,
    );
  }
}

/** Checkpoints in this process's memory: for tests, and relays that may start over. */
export class InMemoryCheckpoints implements Checkpoints {
  readonly #saved = new Map<string, Checkpoint>();

  async load(key: string): Promise<Checkpoint | undefined> {
    return this.#saved.get(key);
  }

  async save(key: string, position: LogPosition, expectedVersion: number): Promise<number> {
    const actual = this.#saved.get(key)?.version ?? 0;
    if (actual !== expectedVersion) throw new CheckpointConflict(key, expectedVersion, actual);
    this.#saved.set(key, { position, version: actual + 1 });
    return actual + 1;
  }
}
