/**
 * The high-water mark of each stream a subscription handled: the generation of its last handled
 * event. A redelivered or re-sent event at or below it is a duplicate, found without a table of
 * every id seen. Keep the marks with the handler's own state (same transaction, same file) so they
 * survive a crash together. Either method may answer at once (a plain value) or with a promise:
 * `subscribe` waits only for promises, so marks kept in memory cost no turn of the event loop.
 */
export interface SequenceMarks {
  get(stream: string): number | undefined | Promise<number | undefined>;
  set(stream: string, generation: number): void | Promise<void>;
}

/** Marks in this process's memory (start over with the subscription); they answer at once. */
export class InMemorySequenceMarks implements SequenceMarks {
  readonly #marks = new Map<string, number>();

  get(stream: string): number | undefined {
    return this.#marks.get(stream);
  }

  set(stream: string, generation: number): void {
    this.#marks.set(stream, generation);
  }
}
