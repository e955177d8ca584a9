/**
 * Runs tasks one at a time, in the order they were given. A producer's sends go through one: two
 * sends in flight at once could interleave kafkajs's sequence numbers (see producer-slot.ts), and a
 * transactional producer has one open transaction.
 */
export class SendQueue {
  #tail: Promise<void> = Promise.resolve();

  /**
   * Starts `task` once every task given before has settled; a failed task does not stop the next.
   * The queue moves on when the task's promise settles, so a task that should hold the queue for
   * less than its whole result (a send abandoned at its deadline) resolves early itself.
   */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.then(settled, settled);
    return result;
  }

  /** Settles once every task given so far has. */
  idle(): Promise<void> {
    return this.#tail;
  }
}

function settled(): void {}
