/** What the choice of a request's members looks at. */
export interface Candidate {
  readonly stream: string;
  /** What it adds to a request (upper bound). */
  readonly bytes: number;
}

/**
 * The publishes for the next request, from those waiting, oldest first. The oldest always goes; if
 * it may share (`shareable`), every later one that may share joins while the request stays within
 * `maxBytes`, else it goes alone. One that cannot join stays, and so does every later one of its
 * stream: a stream's publishes never overtake each other.
 */
export function takeRequest<T extends Candidate>(
  waiting: readonly T[],
  shareable: (candidate: T) => boolean,
  maxBytes: number,
): { taken: T[]; rest: T[] } {
  const [first] = waiting;
  if (first === undefined) return { taken: [], rest: [] };
  if (!shareable(first)) return { taken: [first], rest: waiting.slice(1) };
  const taken = [first];
  const rest: T[] = [];
  const held = new Set<string>();
  let bytes = first.bytes;
  for (let i = 1; i < waiting.length; i++) {
    const candidate = waiting[i] as T;
    if (
      !held.has(candidate.stream) &&
      bytes + candidate.bytes <= maxBytes &&
      shareable(candidate)
    ) {
      taken.push(candidate);
      bytes += candidate.bytes;
    } else {
      held.add(candidate.stream);
      rest.push(candidate);
    }
  }
  return { taken, rest };
}
