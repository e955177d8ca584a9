/**
 * Batches whose append failed without an answer (connection lost, timeout, abort mid-flight): the
 * server may have written them. Keyed by the batch's first event id, so the next append of those
 * ids first reads whether they are there — a read paid only after a failure. Bounded: the oldest
 * are forgotten first, and a forgotten batch is still never written twice (EventStoreDB drops the
 * ids), only reported without `duplicate`.
 */
export class InDoubt {
  readonly #ids = new Set<string>();
  readonly #limit: number;

  constructor(limit = 1024) {
    this.#limit = limit;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  add(id: string): void {
    this.#ids.add(id);
    if (this.#ids.size > this.#limit) {
      for (const oldest of this.#ids) {
        this.#ids.delete(oldest);
        break;
      }
    }
  }

  delete(id: string): void {
    this.#ids.delete(id);
  }
}
