/**
 * The relay runs in a child process with file checkpoints and is SIGKILLed three times while the
 * test stores 10,000 events in the EventStoreDB test server (emulator), which lives in this
 * process; each time it is started again. An independent consumer per broker counts.
 */
import { commandHandler } from '@eventfan/core';
import { afterAll, describe, it } from 'vitest';
import { Combat } from '../../src/combat.js';
import { runKilledChild } from './support/child-run.js';
import { faultBrokers, targetsAt } from './support/fault-brokers.js';
import { fight } from './support/workload.js';

const brokers = await faultBrokers();
afterAll(async () => {
  await Promise.all((brokers ?? []).map(({ broker }) => broker.dispose()));
});

describe.skipIf(!brokers)('relay process killed (SIGKILL ×3)', () => {
  it('restarts from its checkpoint and leaves no stored event unpublished', async () => {
    if (!brokers) return;
    await runKilledChild({
      scenario: 'relay killed',
      script: new URL('./children/relay.child.ts', import.meta.url),
      run: 'FAULTS_RELAY_KILLED',
      targets: targetsAt(brokers),
      killAt: [1_500, 4_000, 6_500],
      alongside: ({ store }) =>
        fight(commandHandler({ aggregate: Combat, store, publishing: 'relay' }), {
          lanes: 10,
          pauseMs: 2,
        }),
    });
  }, 180_000);
});
