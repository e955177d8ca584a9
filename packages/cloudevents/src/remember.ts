const LIMIT = 512;

/**
 * Adds `value` to a cache of values already checked, emptying it first when full: a crude bound
 * that keeps hot values cached without letting an unbounded variety grow memory.
 */
export function remember<T>(cache: Set<T>, value: T): void {
  if (cache.size >= LIMIT) cache.clear();
  cache.add(value);
}
