/** One event as the tally knows it: its CloudEvent id, its stream and its place there. */
export interface TalliedEvent {
  readonly id: string;
  readonly stream: string;
  readonly generation: number;
}

/** What an independent consumer found on a broker, measured against what the store holds. */
export interface DeliveryTally {
  readonly stored: number;
  /** Messages read, copies included. */
  readonly received: number;
  /** Stored events no copy of which reached the broker. */
  readonly lost: readonly string[];
  /** Ids on the broker that the store does not hold. */
  readonly unexpected: readonly string[];
  /** Events kept more than once, with how many copies. */
  readonly duplicated: ReadonlyMap<string, number>;
  /** Copies beyond the first, over all events. */
  readonly extraCopies: number;
  /** Stored events handed to the publisher more than once (0 without `sends`). */
  readonly resent: number;
  /** Duplicated events with more copies than they were sent: no re-send explains them. */
  readonly unexplained: readonly string[];
  /** Streams whose first copies are not the stored events in generation order. */
  readonly outOfOrder: readonly string[];
}

export interface TallyInput {
  readonly stored: Iterable<TalliedEvent>;
  /** In the broker's order (per stream at least). */
  readonly received: readonly TalliedEvent[];
  /** How many times each id was handed to the publisher; without it no duplicate is explained. */
  readonly sends?: ReadonlyMap<string, number>;
}

/** Counts lost, duplicated and out-of-order events after dedupe by CloudEvent id. */
export function tallyDelivery({ stored, received, sends }: TallyInput): DeliveryTally {
  const expected = new Map<string, TalliedEvent[]>();
  const ids = new Set<string>();
  for (const event of stored) {
    (expected.get(event.stream) ?? expected.set(event.stream, []).get(event.stream))?.push(event);
    ids.add(event.id);
  }
  const copies = new Map<string, number>();
  const firstSeen = new Map<string, string[]>();
  for (const event of received) {
    const seen = copies.get(event.id) ?? 0;
    copies.set(event.id, seen + 1);
    if (seen === 0)
      (firstSeen.get(event.stream) ?? firstSeen.set(event.stream, []).get(event.stream))?.push(
        event.id,
      );
  }
  const duplicated = new Map([...copies].filter(([, n]) => n > 1));
  const order = (events: TalliedEvent[]) =>
    [...events].sort((a, b) => a.generation - b.generation).map((e) => e.id);
  return {
    stored: ids.size,
    received: received.length,
    lost: [...ids].filter((id) => !copies.has(id)),
    unexpected: [...copies.keys()].filter((id) => !ids.has(id)),
    duplicated,
    extraCopies: [...duplicated.values()].reduce((sum, n) => sum + n - 1, 0),
    resent: [...ids].filter((id) => (sends?.get(id) ?? 0) > 1).length,
    unexplained: [...duplicated].filter(([id, n]) => n > (sends?.get(id) ?? 1)).map(([id]) => id),
    outOfOrder: [...expected]
      .filter(([stream, events]) => (firstSeen.get(stream) ?? []).join() !== order(events).join())
      .map(([stream]) => stream),
  };
}

/** One line for the test log, e.g. `nats: stored 10000, received 10000, lost 0, …`. */
export function describeTally(target: string, tally: DeliveryTally): string {
  return [
    `${target}: stored ${tally.stored}, received ${tally.received}`,
    `lost ${tally.lost.length}`,
    `duplicated ${tally.duplicated.size} (${tally.extraCopies} extra copies, ${tally.unexplained.length} unexplained by a re-send)`,
    `re-sent ${tally.resent}`,
    `out of order ${tally.outOfOrder.length} streams`,
    `unexpected ${tally.unexpected.length}`,
  ].join(', ');
}
