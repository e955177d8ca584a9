/** The sends a publisher has under way, which its close() lets finish before it lets go. */
export class InFlight {
  readonly #sends = new Set<Promise<unknown>>();

  /** Tracks `sending` until it settles; returns it. */
  track<T>(sending: Promise<T>): Promise<T> {
    this.#sends.add(sending);
    const untrack = () => this.#sends.delete(sending);
    sending.then(untrack, untrack);
    return sending;
  }

  /** Resolves once every send tracked now has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#sends]);
  }
}
