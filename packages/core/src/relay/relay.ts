import { millisecondsProblem } from '../adapter/milliseconds.js';
import type { Publisher } from '../publisher.js';
import type { EventStore } from '../store.js';
import type { Checkpoints } from './checkpoints.js';
import { InMemoryDeadLetters, type DeadLetter, type DeadLetters } from './dead-letters.js';
import { TargetWorker, type RelayRetry, type TargetStatus } from './target-worker.js';

export interface RelayOptions {
  readonly store: EventStore;
  readonly publishers: readonly Publisher[];
  readonly checkpoints: Checkpoints;
  /** Names this relay's checkpoints (`<name>/<target>`); default `relay`. */
  readonly name?: string;
  /** Only events of these aggregates; default every event of the log. */
  readonly aggregates?: readonly string[];
  /** Events read and published per page: bounds the relay's memory. Default 256. */
  readonly batchSize?: number;
  /**
   * Pages a target publishes at once: the next page is read and encoded while the broker
   * acknowledges the one before. Default 2; 1 publishes a page at a time. A restart sends again
   * up to this many pages past the checkpoint (brokers or consumers drop them by id).
   */
  readonly pagesInFlight?: number;
  /** How long a target at the end of the log waits before reading again; default 100 ms. */
  readonly idleMs?: number;
  readonly retry?: RelayRetry;
  /** What to do with an event a target refuses in pre-flight: park it (default) or stop that target. */
  readonly onRefused?: 'park' | 'stop';
  /** Where parked events go; default in memory. */
  readonly deadLetters?: DeadLetters;
  /** Told of parked events, retries and targets that stop; default silent. */
  readonly onReport?: (target: string, what: string) => void;
}

/** The relay (outbox): publishes what the store has, each target from its own checkpoint. */
export interface Relay {
  /** Starts every target's loop; they run until stop(). */
  start(): void;
  /** Lets the pages in flight be acknowledged and checkpointed, then ends every loop. */
  stop(): Promise<void>;
  status(): readonly TargetStatus[];
  /** Resolves once every running target has published the log as it stood when called. */
  caughtUp(options?: { timeoutMs?: number }): Promise<void>;
  /** Wakes targets waiting at the end of the log (the command handler calls it after appends). */
  notify(): void;
  parked(target?: string): Promise<readonly DeadLetter[]>;
  /** Publishes a target's parked events again; resolves with how many. */
  replayParked(target: string): Promise<number>;
}

/**
 * Builds a relay: nothing stored is left unpublished, whatever stopped the process that stored it.
 * ```ts
 * const outbox = relay({ store, publishers: [kafka, nats], checkpoints });
 * outbox.start();
 * ```
 */
export function relay(options: RelayOptions): Relay {
  const name = options.name ?? 'relay';
  const batchSize = options.batchSize ?? 256;
  const pagesInFlight = options.pagesInFlight ?? 2;
  const idleMs = options.idleMs ?? 100;
  checkOptions(options, batchSize, pagesInFlight, idleMs);
  const deadLetters = options.deadLetters ?? new InMemoryDeadLetters();
  const workers = options.publishers.map(
    (publisher) =>
      new TargetWorker(publisher, {
        store: options.store,
        checkpoints: options.checkpoints,
        deadLetters,
        key: `${name}/${publisher.name}`,
        aggregates: options.aggregates,
        batchSize,
        pagesInFlight,
        idleMs,
        retry: {
          retries: options.retry?.retries ?? Number.POSITIVE_INFINITY,
          minTimeoutMs: options.retry?.minTimeoutMs ?? 100,
          maxTimeoutMs: options.retry?.maxTimeoutMs ?? 5_000,
        },
        onRefused: options.onRefused ?? 'park',
        report: options.onReport ?? (() => {}),
      }),
  );
  let running: Promise<void>[] = [];
  const worker = (target: string) => {
    const found = workers.find((w) => w.target === target);
    if (!found) throw new TypeError(`relay "${name}" has no target "${target}"`);
    return found;
  };

  return {
    start() {
      if (running.length > 0) return;
      running = workers.map((w) => w.run());
    },
    async stop() {
      for (const w of workers) w.stop();
      await Promise.all(running);
      running = [];
    },
    status: () => workers.map((w) => w.status()),
    async caughtUp({ timeoutMs = 30_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      const wanted = new Map(workers.map((w) => [w, w.passesToCover()]));
      const behind = () =>
        workers.filter((w) => isLive(w.status().state) && w.passes < (wanted.get(w) ?? 0));
      while (behind().length > 0) {
        if (Date.now() > deadline) {
          const late = behind().map((w) => JSON.stringify(w.status()));
          throw new Error(
            `relay "${name}" did not catch up within ${timeoutMs} ms: ${late.join(', ')}`,
          );
        }
        for (const w of workers) w.wake();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    notify() {
      for (const w of workers) w.wake();
    },
    parked: (target) => deadLetters.list(target),
    replayParked: (target) => worker(target).replayParked(),
  };
}

const isLive = (state: TargetStatus['state']) =>
  state === 'running' || state === 'retrying' || state === 'starting';

function checkOptions(
  options: RelayOptions,
  batchSize: number,
  pagesInFlight: number,
  idleMs: number,
): void {
  const fail = (what: string) => {
    throw new TypeError(`relay: ${what}`);
  };
  if (!options.store || typeof options.store.readAll !== 'function')
    fail('`store` must be an EventStore');
  if (!options.checkpoints || typeof options.checkpoints.save !== 'function') {
    fail('`checkpoints` must be Checkpoints (InMemoryCheckpoints, FileCheckpoints, EventStoreDB)');
  }
  const names = new Set<string>();
  for (const p of options.publishers ?? []) {
    if (names.has(p.name)) fail(`two targets are named "${p.name}"`);
    names.add(p.name);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1)
    fail(`batchSize must be a whole number >= 1, got ${batchSize}`);
  if (!Number.isInteger(pagesInFlight) || pagesInFlight < 1)
    fail(`pagesInFlight must be a whole number >= 1, got ${pagesInFlight}`);
  const idle = millisecondsProblem('idleMs', idleMs, 'zero');
  if (idle !== undefined) fail(idle);
}
