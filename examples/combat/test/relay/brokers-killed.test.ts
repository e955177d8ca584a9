/**
 * The relay keeps publishing while each broker is killed with SIGKILL twice and started again on
 * the same data. The store (in-memory, in this process) is never killed; an independent consumer
 * per broker counts what arrived.
 */
import { commandHandler, InMemoryCheckpoints, InMemoryEventStore, relay } from '@eventfan/core';
import { afterAll, describe, expect, it } from 'vitest';
import { Combat } from '../../src/combat.js';
import { expectEveryTargetDelivered, faultBrokers, targetsAt } from './support/fault-brokers.js';
import { brokerKills, runKillSchedule } from './support/kill-schedule.js';
import { recordingSends, SendCounts } from './support/sends.js';
import { FAULT_TARGETS, type TargetKind } from './support/targets.js';
import { fight, storedEvents } from './support/workload.js';

const brokers = await faultBrokers();
afterAll(async () => {
  await Promise.all((brokers ?? []).map(({ broker }) => broker.dispose()));
});

const RUN = 'FAULTS_BROKERS_KILLED';
/** Where each broker is killed, in events it acknowledged: both twice, at different moments. */
const KILLS: Readonly<Record<TargetKind, readonly number[]>> = {
  nats: [2_000, 6_000],
  kafka: [3_000, 7_000],
};

describe.skipIf(!brokers)('relay with its brokers killed (SIGKILL ×2 each)', () => {
  it('publishes every stored event: none lost, duplicates only from re-sends, order kept', async () => {
    if (!brokers) return;
    const targets = targetsAt(brokers);
    const connections = await Promise.all(
      targets.map(async ({ kind, url }) => {
        await FAULT_TARGETS[kind].create(url, RUN);
        return { kind, connection: await FAULT_TARGETS[kind].connect(url, RUN) };
      }),
    );
    const sends = new Map(targets.map(({ kind }) => [kind, new SendCounts()]));
    const store = new InMemoryEventStore();
    const outbox = relay({
      store,
      publishers: connections.map(({ kind, connection }) =>
        recordingSends(connection.publisher(), (ids) => sends.get(kind)?.record(ids)),
      ),
      checkpoints: new InMemoryCheckpoints(),
      batchSize: 100,
      idleMs: 20,
      retry: { minTimeoutMs: 50, maxTimeoutMs: 500 },
    });
    const combat = commandHandler({ aggregate: Combat, store, publishing: 'relay', relay: outbox });
    const published = (kind: TargetKind) =>
      outbox.status().find((s) => s.target === kind)?.published ?? 0;
    outbox.start();
    const [, ...kills] = await Promise.all([
      fight(combat, { lanes: 10, pauseMs: 1 }),
      ...brokers.map(({ kind, broker }) =>
        runKillSchedule({
          at: KILLS[kind],
          downMs: 500,
          progress: () => published(kind),
          ...brokerKills(broker.control, kind),
          log: (line) => console.info(`[${kind}] ${line}`),
        }),
      ),
    ]);
    await outbox.caughtUp({ timeoutMs: 60_000 });
    await outbox.stop();
    await Promise.all(connections.map(({ connection }) => connection.close()));

    await expectEveryTargetDelivered({
      scenario: 'brokers killed',
      stored: await storedEvents(store),
      targets,
      run: RUN,
      sends: (kind) => sends.get(kind)?.counts ?? new Map(),
    });
    expect(kills).toEqual(brokers.map(({ kind }) => KILLS[kind].length));
  }, 180_000);
});
