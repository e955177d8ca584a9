import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LogPosition } from '../store.js';
import { CheckpointConflict, type Checkpoint, type Checkpoints } from './checkpoints.js';

/**
 * Checkpoints in one JSON file, for a relay in a single process: each save writes a new file and
 * renames it over the old one, so a crash leaves the last complete save. Two processes sharing
 * the file are not guarded against each other: use EventStoreDB checkpoints for that.
 */
export class FileCheckpoints implements Checkpoints {
  readonly #path: string;
  /** Saves of this process, one after the other, so none is lost to a concurrent rename. */
  #writing: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.#path = path;
  }

  async load(key: string): Promise<Checkpoint | undefined> {
    return (await this.#read())[key];
  }

  save(key: string, position: LogPosition, expectedVersion: number): Promise<number> {
    const run = async () => {
      const all = await this.#read();
      const actual = all[key]?.version ?? 0;
      if (actual !== expectedVersion) throw new CheckpointConflict(key, expectedVersion, actual);
      all[key] = { position, version: actual + 1 };
      await mkdir(dirname(this.#path), { recursive: true });
      const temporary = `${this.#path}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(all, null, 2));
      await rename(temporary, this.#path);
      return actual + 1;
    };
    const saved = this.#writing.then(run, run);
    this.#writing = saved.catch(() => {});
    return saved;
  }

  async #read(): Promise<Record<string, Checkpoint>> {
    try {
      return JSON.parse(await readFile(this.#path, 'utf8')) as Record<string, Checkpoint>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }
}
