/**
 * Two ways of doing the same work, measured side by side: `rounds` rounds, each running both once
 * in alternating order, so load that drifts on a shared machine weighs on both alike. Timed by
 * hand rather than with tinybench, which calls a task that is not an `async function` once when
 * it is added, to learn whether it returns a promise: here that call would send a whole workload
 * in the background of the first measured run. Garbage is left to the collector as it comes:
 * a forced collection between runs would bill its background threads to the next run's CPU.
 */

/** The work measured: `events` events, start to end. */
export type Run = () => Promise<unknown>;

export interface SideResult {
  /** The best round's rate. */
  readonly perSecond: number;
  /** This process's CPU (user + system) per event, median over the rounds. */
  readonly cpuMicrosPerEvent: number;
}

export interface Paired {
  readonly first: SideResult;
  readonly second: SideResult;
  /** Median over the rounds of first's rate / second's rate in the same round. */
  readonly ratio: number;
  /** First's events per second over all its rounds / second's: the ratio of the summed times. */
  readonly overall: number;
}

export async function comparePaired(
  first: Run,
  second: Run,
  options: {
    readonly events: number;
    readonly rounds: number;
    /** Rounds run first and not counted: a cold JIT (ours, and a fresh broker's) warms up. */
    readonly warmup?: number;
    /** Untimed, before every run: fresh input, so neither side meets the other's leftovers. */
    readonly prepare?: () => void | Promise<void>;
  },
): Promise<Paired> {
  const rates = { first: [] as number[], second: [] as number[] };
  const cpu = { first: [] as number[], second: [] as number[] };
  const ratios: number[] = [];
  const seconds = { first: 0, second: 0 };
  const sides = [
    ['first', first],
    ['second', second],
  ] as const;
  const warmup = options.warmup ?? 0;
  for (let round = -warmup; round < options.rounds; round++) {
    const rate = { first: 0, second: 0 };
    for (const [which, run] of round % 2 === 0 ? sides : [...sides].reverse()) {
      await options.prepare?.();
      const cpuBefore = process.cpuUsage();
      const start = performance.now();
      await run();
      const elapsed = (performance.now() - start) / 1000;
      const used = process.cpuUsage(cpuBefore);
      rate[which] = options.events / elapsed;
      if (round < 0) continue;
      seconds[which] += elapsed;
      rates[which].push(rate[which]);
      cpu[which].push((used.user + used.system) / options.events);
    }
    if (round >= 0) ratios.push(rate.first / rate.second);
  }
  const result = (which: 'first' | 'second'): SideResult => ({
    perSecond: Math.max(...rates[which]),
    cpuMicrosPerEvent: median(cpu[which]),
  });
  return {
    first: result('first'),
    second: result('second'),
    ratio: median(ratios),
    overall: seconds.second / seconds.first,
  };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
