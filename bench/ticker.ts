/**
 * The concurrent-commands workload the broker benches share: a Ticker aggregate whose every
 * command makes one small event, handled through commandHandler + InMemoryEventStore in lanes
 * (one stream per lane, its commands one after the other, the lanes at once).
 */
import {
  commandHandler,
  defineAggregate,
  defineEvents,
  InMemoryEventStore,
  payload,
} from '@eventfan/core';
import type { EventOf, Publisher } from '@eventfan/core';

export const BenchEvent = defineEvents(
  'BenchEvent',
  { version: '1.0', source: 'events://eventfan.dev/bench' },
  { Ticked: payload<{ n: number; text: string }>() },
);
type BenchEvent = EventOf<typeof BenchEvent>;

export const Ticker = defineAggregate<{ ticks: number }, { type: 'Tick'; n: number }, BenchEvent>({
  name: 'ticker',
  events: BenchEvent,
  initialState: () => ({ ticks: 0 }),
  handle: { Tick: (_, { n }) => BenchEvent.event('Ticked', { n, text: `tick ${n}` }) },
  apply: { Ticked: (state) => ({ ticks: state.ticks + 1 }) },
});

/** `commands` Tick commands over `lanes` streams; their rate and each command's latency (ms). */
export async function handleCommands(
  publishers: readonly Publisher[],
  commands: number,
  lanes: number,
): Promise<{ perSecond: number; latencies: number[] }> {
  const ticker = commandHandler({ aggregate: Ticker, store: new InMemoryEventStore(), publishers });
  const run = Math.random().toString(36).slice(2, 8);
  const latencies: number[] = [];
  const perLane = commands / lanes;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let n = 0; n < perLane; n++) {
        const began = performance.now();
        await ticker.handle(`${run}-${lane}`, { type: 'Tick', n });
        latencies.push(performance.now() - began);
      }
    }),
  );
  return { perSecond: commands / ((performance.now() - start) / 1000), latencies };
}

/**
 * The best of `rounds` runs of `run`, each after `before` (untimed): on a shared machine a round
 * can lose a core to others, and a fresh broker's first rounds run cold.
 */
export async function bestOf<R extends { perSecond: number }>(
  rounds: number,
  run: () => Promise<R>,
  before: () => Promise<unknown> = async () => {},
): Promise<R> {
  let best: R | undefined;
  for (let i = 0; i < rounds; i++) {
    await before();
    const result = await run();
    if (!best || result.perSecond > best.perSecond) best = result;
  }
  return best as R;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
