/**
 * Remembers, per key, the last value a check found good, so that the next event repeating it can
 * skip the check: events of one application repeat attribute names, sources, types and streams.
 * Callers only ever skip on an exact match of what was checked. Past `limit` keys it starts over,
 * so a stream of distinct keys cannot grow memory.
 */
export class Memo<K, V> {
  readonly #good = new Map<K, V>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** The value last found good for `key`, if any. */
  get(key: K): V | undefined {
    return this.#good.get(key);
  }

  /** Notes `value` as found good for `key`, and returns it. */
  remember(key: K, value: V): V {
    if (this.#good.size >= this.#limit && !this.#good.has(key)) this.#good.clear();
    this.#good.set(key, value);
    return value;
  }
}
