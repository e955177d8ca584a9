import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendsFileOf, type ChildSettings } from '../children/settings.js';
import { ChildScript } from './child.js';
import { startSurvivingStore } from './esdb-store.js';
import { expectEveryTargetDelivered } from './fault-brokers.js';
import { runKillSchedule } from './kill-schedule.js';
import { readSendsFile } from './sends.js';
import { FAULT_TARGETS, type TargetAt } from './targets.js';
import { storedEvents } from './workload.js';

export interface ChildRun {
  readonly scenario: string;
  readonly script: URL;
  /** Names the run's stream and topic; unique per test. */
  readonly run: string;
  readonly targets: readonly TargetAt[];
  readonly inline?: boolean;
  /** Whether order per stream is asserted; default true. */
  readonly keepsOrder?: boolean;
  /** The child's progress figures at which it is killed. */
  readonly killAt: readonly number[];
  /** Work of the test's own while the child runs and is killed (storing events, say). */
  readonly alongside?: (store: Awaited<ReturnType<typeof startSurvivingStore>>) => Promise<void>;
}

/**
 * A fault run with a child process: the store (EventStoreDB test server, emulator) in this
 * process, the child started, SIGKILLed at each figure and started again, then asked to finish;
 * then every target read back and counted.
 */
export async function runKilledChild(options: ChildRun): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'eventfan-fault-'));
  const surviving = await startSurvivingStore();
  try {
    for (const { kind, url } of options.targets) await FAULT_TARGETS[kind].create(url, options.run);
    const settings: ChildSettings = {
      esdbUrl: surviving.server.url,
      targets: options.targets,
      run: options.run,
      checkpointsFile: join(dir, 'checkpoints.json'),
      sendsFile: join(dir, 'sends'),
      inline: options.inline ?? false,
    };
    const child = new ChildScript(options.script, settings);
    await child.start();
    const [kills] = await Promise.all([
      runKillSchedule({
        at: options.killAt,
        downMs: 100,
        progress: () => child.progress(),
        kill: () => child.kill(),
        start: () => child.start(),
        broken: () => child.broken(),
        context: () => child.output,
        log: (line) => console.info(`[${options.scenario}] ${line}`),
      }),
      options.alongside?.(surviving),
    ]);
    await child.finish(120_000);
    if (kills !== options.killAt.length || child.lives !== kills + 1) {
      throw new Error(`${kills} kills, ${child.lives} lives: the schedule did not run`);
    }
    await expectEveryTargetDelivered({
      scenario: `${options.scenario}, ${surviving.server.label}`,
      stored: await storedEvents(surviving.store),
      targets: options.targets,
      run: options.run,
      sends: (kind) => readSendsFile(sendsFileOf(settings, kind)),
      keepsOrder: options.keepsOrder ?? true,
    });
  } finally {
    await surviving.close();
    await rm(dir, { recursive: true, force: true });
  }
}
