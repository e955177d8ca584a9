/**
 * The crash gap: a child process handles commands (commandHandler) and runs the relay, and is
 * SIGKILLed mid-run three times — between an append and its publish, among other places. The
 * store (EventStoreDB test server, emulator) lives in this process. Once the last life finished,
 * every stored event must be on every broker: publishing 'relay', and inline with the relay behind.
 */
import { afterAll, describe, it } from 'vitest';
import { runKilledChild } from './support/child-run.js';
import { faultBrokers, targetsAt } from './support/fault-brokers.js';

const brokers = await faultBrokers();
afterAll(async () => {
  await Promise.all((brokers ?? []).map(({ broker }) => broker.dispose()));
});

describe.skipIf(!brokers)('command handler process killed (SIGKILL ×3)', () => {
  // Inline with the relay behind keeps no order per stream across a crash: an event stored but
  // killed before its inline publish waits for the relay, and the restarted handler's next event
  // of that stream, published inline at once, can reach the broker first (seen in a soak run:
  // one NATS stream with generation n+1 before n). Counted and printed there, not asserted.
  it.each([
    { publishing: 'relay', inline: false, run: 'FAULTS_HANDLER_RELAY' },
    { publishing: 'inline + relay behind', inline: true, run: 'FAULTS_HANDLER_INLINE' },
  ])(
    'publishing $publishing: 0 stored events unpublished',
    async ({ publishing, inline, run }) => {
      if (!brokers) return;
      await runKilledChild({
        scenario: `handler killed, ${publishing}`,
        script: new URL('./children/handler.child.ts', import.meta.url),
        run,
        targets: targetsAt(brokers),
        inline,
        keepsOrder: !inline,
        killAt: [1_500, 4_000, 6_500],
      });
    },
    180_000,
  );
});
