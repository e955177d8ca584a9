/**
 * The crash gap: a child process handles commands (commandHandler) and runs the relay, and is
 * SIGKILLed mid-run three times — between an append and its publish, among other places. The
 * store (EventStoreDB test server, emulator) lives in this process. Once the last life finished,
 * every stored event must be on NATS: publishing 'relay', and inline with the relay behind it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  acquireBrokerOrSkip,
  describeTally,
  isMissing,
  natsBroker,
  tallyDelivery,
} from '@eventfan/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ChildScript } from './support/child.js';
import { startSurvivingStore } from './support/esdb-store.js';
import { runKillSchedule } from './support/kill-schedule.js';
import { connectNats, ensureFaultStream, readNatsStream } from './support/nats-target.js';
import { readSendsFile } from './support/sends.js';
import { storedEvents, TOTAL_EVENTS } from './support/workload.js';

const nats = await acquireBrokerOrSkip(natsBroker, { ownProcess: true });
const dir = await mkdtemp(join(tmpdir(), 'eventfan-handler-killed-'));
afterAll(async () => {
  if (!isMissing(nats)) await nats.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(isMissing(nats))('command handler process killed (SIGKILL ×3)', () => {
  it.each([
    { publishing: 'relay', inline: false },
    { publishing: 'inline + relay behind', inline: true },
  ])(
    'publishing $publishing: 0 stored events unpublished',
    async ({ publishing, inline }) => {
      if (isMissing(nats)) return;
      const stream = inline ? 'FAULTS_HANDLER_INLINE' : 'FAULTS_HANDLER_RELAY';
      const nc = await connectNats(nats.url);
      await ensureFaultStream(nc, stream);
      await nc.close();
      const { server, store, close } = await startSurvivingStore();
      const settings = {
        esdbUrl: server.url,
        natsUrl: nats.url,
        natsStream: stream,
        checkpointsFile: join(dir, `${stream}.checkpoints.json`),
        sendsFile: join(dir, `${stream}.sends.txt`),
        inline,
      };
      const child = new ChildScript(
        new URL('./children/handler.child.ts', import.meta.url),
        settings,
      );
      await child.start();
      const kills = await runKillSchedule({
        at: [1_500, 4_000, 6_500],
        downMs: 100,
        progress: () => child.progress(),
        kill: () => child.kill(),
        start: () => child.start(),
        broken: () => child.broken(),
        context: () => child.output,
        log: (line) => console.info(`[handler child, ${publishing}] ${line}`),
      });
      await child.finish(120_000);

      const stored = await storedEvents(store);
      await close();
      const tally = tallyDelivery({
        stored,
        received: await readNatsStream(nats.url, stream),
        sends: readSendsFile(settings.sendsFile),
      });
      console.info(`[handler killed, ${publishing}] ${describeTally('nats', tally)}`);
      expect([kills, child.lives]).toEqual([3, 4]);
      expect(stored).toHaveLength(TOTAL_EVENTS);
      expect(tally).toMatchObject({
        received: TOTAL_EVENTS,
        lost: [],
        unexpected: [],
        extraCopies: 0,
        outOfOrder: [],
      });
    },
    180_000,
  );
});
