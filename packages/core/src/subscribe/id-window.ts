/** The last `size` ids seen, for events without a per-stream sequence. */
export class IdWindow {
  readonly #size: number;
  readonly #ids = new Set<string>();

  constructor(size: number) {
    this.#size = size;
  }

  /** True when the id was seen within the window; else remembers it. */
  seen(id: string): boolean {
    if (this.#ids.has(id)) return true;
    this.#ids.add(id);
    // A Set iterates in insertion order: the first entry is the oldest.
    if (this.#ids.size > this.#size) this.#ids.delete(this.#ids.values().next().value as string);
    return false;
  }
}
