import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { SequenceMarks } from '@eventfan/core';

/** What a killed-and-restarted projection leaves: what it handled, its marks, its duplicates. */
export interface ProjectionRecord<H> {
  readonly handled: H[];
  readonly marks: Record<string, number>;
  /** Redeliveries the marks kept from the handler, summed over the runs that stopped cleanly. */
  duplicates: number;
}

/** The record in `file`, or an empty one before the first save. */
export function readProjection<H>(file: string): ProjectionRecord<H> {
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as ProjectionRecord<H>)
    : { handled: [], marks: {}, duplicates: 0 };
}

/**
 * A projection's state for the fault tests that SIGKILL a subscriber: what the handler handled
 * and the sequence marks, kept in one file written whole and renamed over the last, so a kill
 * leaves the two of one moment — as a projection keeps its marks with its own state. The handler
 * notes what it handled (`handled`); `marks.set`, which subscribe calls right after the handler,
 * saves it with the stream's mark. What was noted and not yet saved is lost with the process.
 */
export class ProjectionFile<H> {
  readonly record: ProjectionRecord<H>;
  readonly marks: SequenceMarks;
  readonly #file: string;
  #unsaved: H[] = [];

  constructor(file: string) {
    this.#file = file;
    this.record = readProjection<H>(file);
    this.marks = {
      get: async (stream) => this.record.marks[stream],
      set: async (stream, generation) => {
        this.record.marks[stream] = generation;
        this.save();
      },
    };
  }

  handled(item: H): void {
    this.#unsaved.push(item);
  }

  save(): void {
    this.record.handled.push(...this.#unsaved);
    this.#unsaved = [];
    writeFileSync(`${this.#file}.tmp`, JSON.stringify(this.record));
    renameSync(`${this.#file}.tmp`, this.#file);
  }
}
