import { Presets, SingleBar } from 'cli-progress';

/** The replay's bar on stderr: events read, the rate and the time left. */
export interface ReplayBar {
  update(read: number): void;
  stop(): void;
}

/**
 * A cli-progress bar when the total is known, a counter when it is not (`$all --no-count`). On a
 * terminal it redraws in place; elsewhere (CI logs, a pipe) it writes a line every second.
 */
export function replayBar(total: number | undefined, stream: NodeJS.WriteStream): ReplayBar {
  const started = performance.now();
  const rate = (read: number) => {
    const seconds = (performance.now() - started) / 1000;
    return seconds > 0 ? Math.round(read / seconds).toString() : '-';
  };
  const format =
    total === undefined
      ? 'replay | {value} events | {rate} events/s | {duration_formatted}'
      : 'replay {bar} {percentage}% | {value}/{total} events | {rate} events/s | ETA {eta_formatted}';
  const bar = new SingleBar(
    {
      format,
      stream,
      noTTYOutput: !stream.isTTY,
      notTTYSchedule: 1_000,
      hideCursor: true,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  bar.start(total ?? 0, 0, { rate: '-' });
  return {
    update: (read) => bar.update(read, { rate: rate(read) }),
    stop: () => bar.stop(),
  };
}
