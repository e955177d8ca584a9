import {
  acquireBrokerOrSkip,
  describeTally,
  isMissing,
  kafkaBroker,
  natsBroker,
  type Broker,
  type BrokerProvider,
  type DeliveryTally,
  type TalliedEvent,
  tallyDelivery,
} from '@eventfan/testing';
import { expect } from 'vitest';
import { FAULT_TARGETS, type TargetAt, type TargetKind } from './targets.js';
import { TOTAL_EVENTS } from './workload.js';

const PROVIDERS: Readonly<Record<TargetKind, BrokerProvider>> = {
  nats: natsBroker,
  kafka: kafkaBroker,
};

/** Brokers of the test's own process (they may be killed), one per target kind, or none. */
export async function faultBrokers(): Promise<{ kind: TargetKind; broker: Broker }[] | undefined> {
  const got: { kind: TargetKind; broker: Broker }[] = [];
  for (const kind of Object.keys(PROVIDERS) as TargetKind[]) {
    // A missing broker skips loudly, or fails where brokers are required (CI).
    const broker = await acquireBrokerOrSkip(PROVIDERS[kind], { ownProcess: true });
    if (isMissing(broker)) {
      await Promise.all(got.map((g) => g.broker.dispose()));
      return undefined;
    }
    got.push({ kind, broker });
  }
  return got;
}

export const targetsAt = (brokers: readonly { kind: TargetKind; broker: Broker }[]): TargetAt[] =>
  brokers.map(({ kind, broker }) => ({ kind, url: broker.url }));

/**
 * Reads every target back with its independent consumer, prints the counts of all, then asserts
 * of each: nothing lost, nothing foreign, every duplicate explained by a re-send, order per
 * stream kept after dedupe by id (unless `keepsOrder` is false); on a broker that dedupes,
 * exactly one copy of each event.
 */
export async function expectEveryTargetDelivered(options: {
  readonly scenario: string;
  readonly stored: readonly TalliedEvent[];
  readonly targets: readonly TargetAt[];
  readonly run: string;
  readonly sends: (kind: TargetKind) => ReadonlyMap<string, number>;
  /** False where the publishing mode cannot promise order per stream: counted, not asserted. */
  readonly keepsOrder?: boolean;
}): Promise<void> {
  const { scenario, stored, run } = options;
  const tallies: [TargetKind, DeliveryTally][] = [];
  for (const { kind, url } of options.targets) {
    const received = await FAULT_TARGETS[kind].read(url, run);
    tallies.push([kind, tallyDelivery({ stored, received, sends: options.sends(kind) })]);
  }
  for (const [kind, tally] of tallies) console.info(`[${scenario}] ${describeTally(kind, tally)}`);
  expect(stored, 'events stored').toHaveLength(TOTAL_EVENTS);
  for (const [kind, tally] of tallies) {
    expect(tally, kind).toMatchObject({ lost: [], unexpected: [], unexplained: [] });
    if (options.keepsOrder ?? true) expect(tally.outOfOrder, `${kind}: order`).toEqual([]);
    if (FAULT_TARGETS[kind].dedupes) {
      expect([tally.received, tally.extraCopies], `${kind}: one copy each`).toEqual([
        TOTAL_EVENTS,
        0,
      ]);
    }
  }
}
