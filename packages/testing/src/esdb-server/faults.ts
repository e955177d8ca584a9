/**
 * Failures a test can make the test server answer, the way a real cluster sometimes does, to test
 * error handling without one: a follower node, missing rights, a node still starting, a commit
 * timeout, or a crash right after the write was committed (the client never hears the outcome).
 */
export type EsdbFault =
  'not-leader' | 'access-denied' | 'not-ready' | 'timeout' | 'crash-after-commit';

export type EsdbOperation = 'append' | 'read' | 'delete' | 'tombstone';

export class FaultPlan {
  readonly #queued: { operation: EsdbOperation; fault: EsdbFault }[] = [];

  /** The next `times` calls of `operation` fail with `fault`. */
  add(operation: EsdbOperation, fault: EsdbFault, times = 1): void {
    if (fault === 'crash-after-commit' && operation === 'read') {
      throw new TypeError(
        'crash-after-commit applies to writes (append, delete, tombstone), not reads',
      );
    }
    for (let i = 0; i < times; i++) this.#queued.push({ operation, fault });
  }

  /** Takes the fault planned for this call of `operation`, if any. */
  take(operation: EsdbOperation): EsdbFault | undefined {
    const i = this.#queued.findIndex((f) => f.operation === operation);
    if (i < 0) return undefined;
    return this.#queued.splice(i, 1)[0]?.fault;
  }

  clear(): void {
    this.#queued.length = 0;
  }
}
