/**
 * The relay runs in a child process with file checkpoints and is SIGKILLed three times while the
 * test stores 10,000 events in the EventStoreDB test server (emulator), which lives in this
 * process; each time it is started again. An independent consumer counts what reached NATS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandHandler } from '@eventfan/core';
import {
  acquireBrokerOrSkip,
  describeTally,
  isMissing,
  natsBroker,
  tallyDelivery,
} from '@eventfan/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { Combat } from '../../src/combat.js';
import { ChildScript } from './support/child.js';
import { startSurvivingStore } from './support/esdb-store.js';
import { runKillSchedule } from './support/kill-schedule.js';
import { connectNats, ensureFaultStream, readNatsStream } from './support/nats-target.js';
import { readSendsFile } from './support/sends.js';
import { fight, storedEvents, TOTAL_EVENTS } from './support/workload.js';

const nats = await acquireBrokerOrSkip(natsBroker, { ownProcess: true });
const dir = await mkdtemp(join(tmpdir(), 'eventfan-relay-killed-'));
afterAll(async () => {
  if (!isMissing(nats)) await nats.dispose();
  await rm(dir, { recursive: true, force: true });
});

const STREAM = 'FAULTS_RELAY_KILLED';

describe.skipIf(isMissing(nats))('relay process killed (SIGKILL ×3)', () => {
  it('restarts from its checkpoint and leaves no stored event unpublished', async () => {
    if (isMissing(nats)) return;
    const nc = await connectNats(nats.url);
    await ensureFaultStream(nc, STREAM);
    await nc.close();
    const { server, store, close } = await startSurvivingStore();
    const settings = {
      esdbUrl: server.url,
      natsUrl: nats.url,
      natsStream: STREAM,
      checkpointsFile: join(dir, 'checkpoints.json'),
      sendsFile: join(dir, 'sends.txt'),
    };
    const child = new ChildScript(new URL('./children/relay.child.ts', import.meta.url), settings);
    await child.start();
    const combat = commandHandler({ aggregate: Combat, store, publishing: 'relay' });
    const [, kills] = await Promise.all([
      fight(combat, { lanes: 10, pauseMs: 2 }),
      runKillSchedule({
        at: [1_500, 4_000, 6_500],
        downMs: 200,
        progress: () => child.progress(),
        kill: () => child.kill(),
        start: () => child.start(),
        broken: () => child.broken(),
        context: () => child.output,
        log: (line) => console.info(`[relay child] ${line}`),
      }),
    ]);
    await child.finish(90_000);

    const stored = await storedEvents(store);
    await close();
    const tally = tallyDelivery({
      stored,
      received: await readNatsStream(nats.url, STREAM),
      sends: readSendsFile(settings.sendsFile),
    });
    console.info(`[relay killed] ${describeTally('nats', tally)}; ${server.label}`);
    expect([kills, child.lives]).toEqual([3, 4]);
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
