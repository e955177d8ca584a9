import type { EsdbLogPosition } from './client.js';

/** The text readAll gives out as a LogPosition: `<commit>/<prepare>`, decimal (they outgrow 2^53). */
export function positionText(position: EsdbLogPosition): string {
  return `${position.commit}/${position.prepare}`;
}

/** A position text back as the client's position; anything else is the caller's mistake. */
export function parsePosition(text: string): EsdbLogPosition {
  const match = /^(\d{1,20})\/(\d{1,20})$/.exec(text);
  if (!match) {
    throw new TypeError(
      `not a position of an EventStoreDB store's log (<commit>/<prepare>): ${JSON.stringify(text)}`,
    );
  }
  return { commit: BigInt(match[1] as string), prepare: BigInt(match[2] as string) };
}

export function samePosition(a: EsdbLogPosition, b: EsdbLogPosition): boolean {
  return a.commit === b.commit && a.prepare === b.prepare;
}

/**
 * The furthest log position this store has seen committed (appends' answers, events read). A new
 * append always lands beyond every committed position, so an append answered at or before this
 * mark wrote nothing: the server recognised the ids and answered with where they already are.
 */
export class HighWaterMark {
  #mark: EsdbLogPosition | undefined;

  /** Whether `position` is at or before the mark. */
  covers(position: EsdbLogPosition): boolean {
    const mark = this.#mark;
    if (!mark) return false;
    return (
      position.commit < mark.commit ||
      (position.commit === mark.commit && position.prepare <= mark.prepare)
    );
  }

  see(position: EsdbLogPosition | undefined): void {
    if (position && !this.covers(position)) this.#mark = position;
  }
}
