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
  /** Why the run cannot go on (a child that died by itself), or undefined while it can. */
  readonly broken?: () => string | undefined;
  /** What to add to a failure: the child's last output, say. */
  readonly context?: () => string;
  /** How long progress may stand still before the schedule gives up; default 30 s. */
  readonly stallMs?: number;
}

/**
 * Kills a process each time the run's progress passes the next figure, and starts it again after
 * `downMs`: the kills land mid-run whatever the machine's speed. Resolves after the last restart.
 */
export async function runKillSchedule(schedule: KillSchedule): Promise<number> {
  let kills = 0;
  for (const figure of schedule.at) {
    await progressTo(figure, schedule);
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

/** Waits for the progress figure, failing at once on a broken run and after a stall. */
async function progressTo(figure: number, schedule: KillSchedule): Promise<void> {
  const stallMs = schedule.stallMs ?? 30_000;
  let last = schedule.progress();
  let movedAt = Date.now();
  while (schedule.progress() < figure) {
    const broken = schedule.broken?.();
    if (broken) throw new Error(`the run broke before progress ${figure}: ${broken}`);
    if (schedule.progress() !== last) [last, movedAt] = [schedule.progress(), Date.now()];
    if (Date.now() - movedAt > stallMs) {
      const context = schedule.context?.() ?? '';
      throw new Error(`progress stood at ${last} for ${stallMs} ms, before ${figure}\n${context}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A broker's control, as a kill schedule's kill and start; only brokers with `kill`. */
export function brokerKills(control: BrokerControl | undefined, name: string) {
  const kill = control?.kill;
  if (!control || !kill) throw new Error(`${name}: this broker cannot be killed (not our process)`);
  return { kill: () => kill.call(control), start: () => control.start() };
}
