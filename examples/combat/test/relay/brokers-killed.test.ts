/**
 * The relay keeps publishing while each broker is killed with SIGKILL twice and started again on
 * the same data. The store (in-memory, in this process) is never killed; an independent consumer
 * per broker counts what arrived.
 */
import {
  commandHandler,
  InMemoryCheckpoints,
  InMemoryEventStore,
  relay,
  type TargetStatus,
} from '@eventfan/core';
import {
  acquireBrokerOrSkip,
  describeTally,
  isMissing,
  natsBroker,
  tallyDelivery,
} from '@eventfan/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { Combat } from '../../src/combat.js';
import { brokerKills, runKillSchedule } from './support/kill-schedule.js';
import {
  connectNats,
  ensureFaultStream,
  natsFaultPublisher,
  readNatsStream,
} from './support/nats-target.js';
import { recordingSends, SendCounts } from './support/sends.js';
import { fight, storedEvents, TOTAL_EVENTS } from './support/workload.js';

const nats = await acquireBrokerOrSkip(natsBroker, { ownProcess: true });
afterAll(async () => {
  if (!isMissing(nats)) await nats.dispose();
});

const STREAM = 'FAULTS_BROKERS_KILLED';

describe.skipIf(isMissing(nats))('relay with its brokers killed (SIGKILL ×2 each)', () => {
  it('publishes every stored event: none lost, NATS exactly once, order per stream kept', async () => {
    if (isMissing(nats)) return;
    const nc = await connectNats(nats.url);
    await ensureFaultStream(nc, STREAM);
    const store = new InMemoryEventStore();
    const sends = new SendCounts();
    const outbox = relay({
      store,
      publishers: [recordingSends(natsFaultPublisher(nc, STREAM), sends.record)],
      checkpoints: new InMemoryCheckpoints(),
      batchSize: 100,
      idleMs: 20,
      retry: { minTimeoutMs: 50, maxTimeoutMs: 500 },
    });
    const combat = commandHandler({ aggregate: Combat, store, publishing: 'relay', relay: outbox });
    const published = (target: string) =>
      outbox.status().find((s: TargetStatus) => s.target === target)?.published ?? 0;
    outbox.start();
    const [, natsKills] = await Promise.all([
      fight(combat, { lanes: 10, pauseMs: 1 }),
      runKillSchedule({
        at: [2_000, 6_000],
        downMs: 500,
        progress: () => published('nats'),
        ...brokerKills(nats.control, 'nats'),
        log: (line) => console.info(`[nats] ${line}`),
      }),
    ]);
    await outbox.caughtUp({ timeoutMs: 60_000 });
    await outbox.stop();
    await nc.close();

    const stored = await storedEvents(store);
    const tally = tallyDelivery({
      stored,
      received: await readNatsStream(nats.url, STREAM),
      sends: sends.counts,
    });
    console.info(`[brokers killed] ${describeTally('nats', tally)}`);
    expect(natsKills).toBe(2);
    expect(stored).toHaveLength(TOTAL_EVENTS);
    expect(tally).toMatchObject({
      received: TOTAL_EVENTS,
      lost: [],
      unexpected: [],
      extraCopies: 0,
      outOfOrder: [],
    });
  }, 180_000);
});
