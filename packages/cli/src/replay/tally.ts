import type { Receipt } from '@eventfan/core';

/** What one target did with a replay. */
export interface TargetTally {
  readonly target: string;
  /** Events the target acknowledged, duplicates included. */
  published: number;
  /** Of those, the events the target recognised by id and did not keep again. */
  duplicates: number;
  /** Events the target can never take (its pre-flight refused them), with the reason. */
  readonly refused: { readonly id: string; readonly stream: string; readonly reason: string }[];
}

export function newTally(target: string): TargetTally {
  return { target, published: 0, duplicates: 0, refused: [] };
}

export function count(tally: TargetTally, receipt: Receipt): void {
  tally.published += receipt.events.length;
  tally.duplicates += receipt.events.filter((e) => e.duplicate).length;
}
