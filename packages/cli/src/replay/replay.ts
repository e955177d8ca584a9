import {
  InvalidEvent,
  isRetriable,
  type Envelope,
  type EventStore,
  type Publisher,
} from '@eventfan/core';
import { CliError, messageOf } from '../errors.js';
import { streamRuns } from '@eventfan/core/adapter';
import { count, newTally, type TargetTally } from './tally.js';

export interface ReplayOptions {
  readonly store: EventStore;
  /** A stream name, or `$all` for the store's whole log. */
  readonly source: string;
  readonly publishers: readonly Publisher[];
  /** With `$all`: only these aggregates' events. */
  readonly aggregates?: readonly string[];
  readonly pageSize: number;
  readonly signal: AbortSignal;
  /** Told after each page how many events were read so far. */
  readonly onProgress: (read: number) => void;
}

export interface ReplayResult {
  readonly read: number;
  readonly targets: readonly TargetTally[];
  readonly interrupted: boolean;
  readonly seconds: number;
}

/** Sends of a failing batch before the replay gives up (the broker down, a timeout). */
const ATTEMPTS = 3;

/**
 * Reads the source page by page and publishes each page to every target before reading the next:
 * memory stays at one page, and the targets go at the pace of the slowest. Events keep their ids,
 * so publishing what a target already has is safe: it reports them as duplicates.
 */
export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const started = performance.now();
  const tallies = options.publishers.map((p) => newTally(p.name));
  let read = 0;
  for await (const page of pages(options)) {
    if (options.signal.aborted) break;
    for (const run of streamRuns(page)) {
      await Promise.all(
        options.publishers.map((p, i) => publishRun(p, run, tallies[i] as TargetTally)),
      );
    }
    read += page.length;
    options.onProgress(read);
  }
  return {
    read,
    targets: tallies,
    interrupted: options.signal.aborted,
    seconds: (performance.now() - started) / 1000,
  };
}

async function* pages(options: ReplayOptions): AsyncIterable<readonly Envelope[]> {
  const { store, source } = options;
  if (source !== '$all') {
    yield* store.read(source);
    return;
  }
  const all = store.readAll({
    pageSize: options.pageSize,
    ...(options.aggregates ? { aggregates: options.aggregates } : {}),
  });
  for await (const page of all) yield page.map((logged) => logged.envelope);
}

/** One stream's run to one target; a run the pre-flight refuses is sent event by event. */
async function publishRun(
  publisher: Publisher,
  run: readonly Envelope[],
  tally: TargetTally,
): Promise<void> {
  let prepared;
  try {
    prepared = publisher.prepare(run);
  } catch (error) {
    if (!(error instanceof InvalidEvent) || run.length === 1) {
      return refuse(run, tally, error);
    }
    for (const envelope of run) await publishRun(publisher, [envelope], tally);
    return;
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      count(tally, await publisher.publish(prepared, { attempt }));
      return;
    } catch (error) {
      if (attempt < ATTEMPTS && isRetriable(error)) {
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
        continue;
      }
      throw new CliError(
        `replay stopped: ${publisher.name} did not take stream "${(run[0] as Envelope).stream}" from generation ${(run[0] as Envelope).generation} (${messageOf(error)}). ${tally.published} events had reached ${publisher.name}; run the replay again: events keep their ids, so what already arrived is dropped as a duplicate`,
        undefined,
        { cause: error },
      );
    }
  }
}

function refuse(run: readonly Envelope[], tally: TargetTally, error: unknown): void {
  if (!(error instanceof InvalidEvent)) throw error;
  for (const envelope of run) {
    tally.refused.push({ id: envelope.id, stream: envelope.stream, reason: messageOf(error) });
  }
}
