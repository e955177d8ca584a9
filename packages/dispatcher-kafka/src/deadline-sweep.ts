/** What the sweep watches: it is done with an item once the item is answered. */
export interface Awaiting {
  readonly answered: boolean;
}

/** Sweeps per `timeoutMs`: an item expires at most a tenth of `timeoutMs` late. */
const SWEEPS = 10;
/** Answered items are dropped when the list has doubled since, and at every sweep. */
const FIRST_COMPACTION = 64;

/**
 * Deadlines of what waits for an answer, `timeoutMs` after each was added, checked by one interval
 * instead of a timer each. A timer per publish is set and cleared between one request's answer and
 * the next request, on the path that is a lone publish's latency (about 4% of its rate, in paired
 * runs against raw sends); here adding is two array pushes and answering costs nothing.
 *
 * Each item is stamped with the number of sweeps so far. A sweep runs every `timeoutMs / SWEEPS`
 * while anything waits and expires what has waited through more than SWEEPS of them: an item
 * expires between `timeoutMs` and `(1 + 1 / SWEEPS) × timeoutMs` after it was added, never
 * before. The interval keeps no process alive: what waits is a request on kafkajs's sockets.
 */
export class DeadlineSweep<T extends Awaiting> {
  readonly #intervalMs: number;
  readonly #expire: (item: T) => void;
  #sweeps = 0;
  /** In the order added, so also in the order due; with each one's stamp. */
  #items: T[] = [];
  #stamps: number[] = [];
  #compactAt = FIRST_COMPACTION;
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number, expire: (item: T) => void) {
    this.#intervalMs = Math.max(1, timeoutMs / SWEEPS);
    this.#expire = expire;
  }

  add(item: T): void {
    this.#items.push(item);
    this.#stamps.push(this.#sweeps);
    if (this.#items.length >= this.#compactAt) this.#compact();
    this.#timer ??= setInterval(() => this.#sweep(), this.#intervalMs).unref();
  }

  #sweep(): void {
    this.#sweeps++;
    this.#compact();
    let due = 0;
    while (due < this.#items.length && this.#sweeps - (this.#stamps[due] as number) > SWEEPS) due++;
    const expired = this.#items.splice(0, due);
    this.#stamps.splice(0, due);
    for (const item of expired) this.#expire(item);
    if (this.#items.length === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Drops the answered ones. */
  #compact(): void {
    const items: T[] = [];
    const stamps: number[] = [];
    this.#items.forEach((item, i) => {
      if (item.answered) return;
      items.push(item);
      stamps.push(this.#stamps[i] as number);
    });
    this.#items = items;
    this.#stamps = stamps;
    this.#compactAt = Math.max(FIRST_COMPACTION, 2 * items.length);
  }
}
