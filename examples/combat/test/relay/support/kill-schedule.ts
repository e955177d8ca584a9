import type { BrokerControl } from '@eventfan/testing';

export interface KillSchedule {
  /** Progress figures (e.g. events the target acknowledged) at which to kill. */
  readonly at: readonly number[];
  /** How long the process stays dead before it is started again. */
  readonly downMs: number;
  /** Polled to see how far the run got. */
  readonly progress: () => number;
  readonly kill: () => Promise<void>;
  readonly start: () => Promise<void>;
  /** Told of each kill and restart, for the test log. */
  readonly log?: (line: string) => void;
}

/**
 * Kills a process each time the run's progress passes the next figure, and starts it again after
 * `downMs`: the kills land mid-run whatever the machine's speed. Resolves after the last restart.
 */
export async function runKillSchedule(schedule: KillSchedule): Promise<number> {
  let kills = 0;
  for (const figure of schedule.at) {
    while (schedule.progress() < figure) await new Promise((resolve) => setTimeout(resolve, 5));
    await schedule.kill();
    kills++;
    schedule.log?.(`SIGKILL #${kills} at progress ${schedule.progress()} (due at ${figure})`);
    await new Promise((resolve) => setTimeout(resolve, schedule.downMs));
    const restarting = Date.now();
    await schedule.start();
    schedule.log?.(`restarted in ${Date.now() - restarting} ms`);
  }
  return kills;
}

/** A broker's control, as a kill schedule's kill and start; only brokers with `kill`. */
export function brokerKills(control: BrokerControl | undefined, name: string) {
  const kill = control?.kill;
  if (!control || !kill) throw new Error(`${name}: this broker cannot be killed (not our process)`);
  return { kill: () => kill.call(control), start: () => control.start() };
}
