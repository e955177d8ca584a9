/**
 * The high-water mark of each stream a subscription handled: the generation of its last handled
 * event. A redelivered or re-sent event at or below it is a duplicate, found without a table of
 * every id seen. Keep the marks with the handler's own state (same transaction, same file) so they
 * survive a crash together.
 */
export interface SequenceMarks {
  get(stream: string): Promise<number | undefined>;
  set(stream: string, generation: number): Promise<void>;
}

/** Marks in this process's memory (start over with the subscription). */
export class InMemorySequenceMarks implements SequenceMarks {
  readonly #marks = new Map<string, number>();

  async get(stream: string): Promise<number | undefined> {
    return this.#marks.get(stream);
  }

  async set(stream: string, generation: number): Promise<void> {
    this.#marks.set(stream, generation);
  }
}
