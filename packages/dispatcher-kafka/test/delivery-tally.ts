import type { Envelope } from '@eventfan/core';
import type { Attempt } from './stream-publisher.js';
import type { ReadRecord } from './topic-reader.js';

/** What an independent consumer found in the topic, measured against what the dispatcher said. */
export interface DeliveryTally {
  /** Acknowledged events that are not in the topic. */
  readonly lost: string[];
  /** Events stored more than once, with how many copies. */
  readonly duplicated: Map<string, number>;
  /**
   * Duplicated events not explained by a re-send: never reported failed, or with more copies than
   * dispatch attempts.
   */
  readonly unexplained: string[];
  /** Streams whose events, first copies only, are not in the order they were dispatched. */
  readonly outOfOrder: string[];
  /** Acknowledgements whose receipt points at a record of another event. */
  readonly misplaced: string[];
}

export function tallyDelivery(
  plan: readonly (readonly Envelope[])[],
  log: readonly Attempt[],
  records: readonly ReadRecord[],
): DeliveryTally {
  const idOf = (r: ReadRecord) => String(r.headers['ce_id']);
  const copies = new Map<string, number>();
  for (const r of records) copies.set(idOf(r), (copies.get(idOf(r)) ?? 0) + 1);
  const at = new Map(records.map((r) => [`${r.partition}@${r.offset}`, idOf(r)]));
  const acknowledged = log.filter((a) => a.outcome === 'acknowledged');
  const failed = new Set(log.filter((a) => a.outcome === 'failed').map((a) => a.id));
  const attempts = new Map<string, number>();
  for (const a of log) attempts.set(a.id, (attempts.get(a.id) ?? 0) + 1);
  const duplicated = new Map([...copies].filter(([, n]) => n > 1));
  return {
    lost: acknowledged.filter((a) => !copies.has(a.id)).map((a) => a.id),
    duplicated,
    unexplained: [...duplicated]
      .filter(([id, n]) => !failed.has(id) || n > (attempts.get(id) ?? 0))
      .map(([id]) => id),
    outOfOrder: plan
      .filter((envelopes) => {
        const stream = envelopes[0]?.stream;
        const firstSeen = [...new Set(records.filter((r) => r.key === stream).map(idOf))];
        return firstSeen.join() !== envelopes.map((e) => e.id).join();
      })
      .map((envelopes) => envelopes[0]?.stream ?? ''),
    misplaced: acknowledged
      .filter((a) => at.get(`${a.position?.partition}@${a.position?.offset}`) !== a.id)
      .map((a) => a.id),
  };
}

/** One line for the test log: the counts a reader of the run wants. */
export function describeTally(tally: DeliveryTally): string {
  const copies = [...tally.duplicated.values()].reduce((n, c) => n + c - 1, 0);
  return `lost ${tally.lost.length}, duplicated ${tally.duplicated.size} (${copies} extra copies, ${tally.unexplained.length} unexplained), out of order ${tally.outOfOrder.length} streams, misplaced receipts ${tally.misplaced.length}`;
}
