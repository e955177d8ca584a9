import { setMaxListeners } from 'node:events';
import pRetry, { AbortError } from 'p-retry';
import { describeCause, InvalidEvent, isRetriable } from '../errors.js';
import type { Envelope } from '../envelope.js';
import type { Publisher } from '../publisher.js';
import type { EventStore, LoggedEnvelope, LogPosition } from '../store.js';
import { CheckpointConflict, type Checkpoints } from './checkpoints.js';
import type { DeadLetters } from './dead-letters.js';
import { streamRuns } from '../adapter/runs.js';
import { inSpan, spanAttributes } from '../tracing.js';

/** How a relay retries a target that is down: exponential backoff with jitter, from p-retry. */
export interface RelayRetry {
  /** Attempts after the first; default: without end, as an outbox must not give up. */
  readonly retries?: number;
  readonly minTimeoutMs?: number;
  readonly maxTimeoutMs?: number;
}

export type TargetState = 'starting' | 'running' | 'retrying' | 'stood-down' | 'failed' | 'stopped';

/** What `status()` says of one target. */
export interface TargetStatus {
  readonly target: string;
  readonly state: TargetState;
  /** The last position acknowledged and saved; undefined before the first. */
  readonly position: LogPosition | undefined;
  /** Events read from the log and not yet acknowledged by the target. */
  readonly lag: number;
  /** True once the worker reached the end of the log at least once since its last send. */
  readonly caughtUp: boolean;
  readonly published: number;
  readonly parked: number;
  readonly lastError?: string;
}

export interface WorkerSettings {
  readonly store: EventStore;
  readonly checkpoints: Checkpoints;
  readonly deadLetters: DeadLetters;
  readonly key: string;
  readonly aggregates: readonly string[] | undefined;
  readonly batchSize: number;
  readonly pagesInFlight: number;
  readonly idleMs: number;
  readonly retry: Required<RelayRetry>;
  readonly onRefused: 'park' | 'stop';
  readonly report: (target: string, what: string) => void;
}

/**
 * One target's loop: read the log from the target's own checkpoint a page at a time, publish,
 * save the checkpoint once the broker acknowledged. A target down or slow holds back only itself.
 */
export class TargetWorker {
  readonly #publisher: Publisher;
  readonly #settings: WorkerSettings;
  readonly #stopping = new AbortController();
  #state: TargetState = 'starting';
  #position: LogPosition | undefined;
  #version = 0;
  #lag = 0;
  #caughtUp = false;
  #published = 0;
  #parked = 0;
  #lastError: string | undefined;
  #idle: (() => void) | undefined;
  #passes = 0;
  #inPass = false;
  /** Sends under way, which a stop lets finish before the loop ends. */
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Each stream's last run handed to the publisher and not yet settled: the next one waits. */
  readonly #tails = new Map<string, Promise<void>>();

  constructor(publisher: Publisher, settings: WorkerSettings) {
    this.#publisher = publisher;
    this.#settings = settings;
    // Each stream's run of a page retries under this signal at once, each with one listener it
    // removes when done: not the leak Node's warning past 10 listeners suspects.
    setMaxListeners(0, this.#stopping.signal);
  }

  get target(): string {
    return this.#publisher.name;
  }

  status(): TargetStatus {
    return {
      target: this.target,
      state: this.#state,
      position: this.#position,
      lag: this.#lag,
      caughtUp: this.#caughtUp,
      published: this.#published,
      parked: this.#parked,
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
    };
  }

  /** Runs until stop(), a conflict on the checkpoint, or a failure no retry can mend. */
  async run(): Promise<void> {
    try {
      let claimed = false;
      let failures = 0;
      while (!this.#stopping.signal.aborted) {
        try {
          if (!claimed) await this.#claim();
          claimed = true;
          const moved = await this.#pass();
          failures = 0;
          this.#state = 'running';
          if (!moved) await this.#sleep();
        } catch (error) {
          // A store or checkpoint that is down for a while must not end the outbox for good.
          if (!this.#mayRetryPass(error, ++failures)) throw error;
          await this.#backOff(failures);
        }
      }
      this.#state = 'stopped';
    } catch (error) {
      this.#end(error);
    } finally {
      await Promise.allSettled(this.#inFlight);
    }
  }

  /** Ends the loop after the page in flight is acknowledged and its checkpoint saved. */
  stop(): void {
    this.#stopping.abort();
    this.#idle?.();
  }

  /** The passes a caller must wait for to see the log as it stands now published. */
  passesToCover(): number {
    return this.#passes + (this.#inPass ? 2 : 1);
  }

  get passes(): number {
    return this.#passes;
  }

  /** Wakes a worker waiting at the end of the log. */
  wake(): void {
    this.#idle?.();
  }

  /** Publishes again what was parked for this target (after the cause was fixed). */
  async replayParked(): Promise<number> {
    const letters = await this.#settings.deadLetters.take(this.target);
    for (const letter of letters) {
      await this.#publishRun([letter.envelope], letter.position);
    }
    return letters.length;
  }

  /** Saves the loaded position again: of two relays starting together, one stands down here. */
  async #claim(): Promise<void> {
    const saved = await this.#settings.checkpoints.load(this.#settings.key);
    this.#position = saved?.position;
    this.#version = await this.#settings.checkpoints.save(
      this.#settings.key,
      saved?.position ?? '',
      saved?.version ?? 0,
    );
    this.#state = 'running';
  }

  /**
   * One read to the current end of the log; true when it published anything. Up to
   * `pagesInFlight` pages are published at once — the next page is read and encoded while the
   * broker acknowledges the one before — and checkpoints are saved in page order, each once its
   * page and every page before it are acknowledged.
   */
  async #pass(): Promise<boolean> {
    const { store, aggregates, batchSize, pagesInFlight } = this.#settings;
    let moved = false;
    this.#inPass = true;
    const after = this.#position ? { after: this.#position } : {};
    const window: { readonly done: Promise<void>; readonly page: readonly LoggedEnvelope[] }[] = [];
    const settleOldest = async () => {
      const { done, page } = window.shift() as (typeof window)[number];
      await done;
      await this.#save((page[page.length - 1] as LoggedEnvelope).position);
      this.#lag -= page.length;
    };
    try {
      for await (const page of store.readAll({
        ...after,
        pageSize: batchSize,
        ...(aggregates ? { aggregates } : {}),
      })) {
        if (page.length === 0) continue;
        this.#lag += page.length;
        this.#caughtUp = false;
        const done = this.#publishPage(page);
        // Awaited in turn below; until then a failure must not count as unhandled.
        done.catch(() => {});
        window.push({ done, page });
        moved = true;
        if (window.length >= pagesInFlight) await settleOldest();
        if (this.#stopping.signal.aborted) break;
      }
      while (window.length > 0) await settleOldest();
    } catch (error) {
      // The next pass starts from the last checkpoint: nothing of this one may still be sending.
      await Promise.allSettled(window.map((w) => w.done));
      this.#lag = 0;
      throw error;
    } finally {
      this.#inPass = false;
    }
    this.#caughtUp = true;
    this.#passes++;
    return moved;
  }

  /**
   * Whether a pass that failed outside the publisher's own retries (the store's read, the
   * checkpoint's save) is tried again: when retriable, within the retry budget, and not stopping
   * or standing down. The next pass reads from the last saved checkpoint, so a page published but
   * not yet checkpointed is sent again (the brokers drop it by id).
   */
  #mayRetryPass(error: unknown, failures: number): boolean {
    if (this.#stopping.signal.aborted || error instanceof CheckpointConflict) return false;
    if (!isRetriable(error) || failures > this.#settings.retry.retries) return false;
    this.#state = 'retrying';
    this.#lastError = describeCause(error);
    this.#settings.report(
      this.target,
      `retrying the log (attempt ${failures}): ${this.#lastError}`,
    );
    return true;
  }

  /** Exponential backoff with jitter, as p-retry's, cut short only by stop(). */
  #backOff(failures: number): Promise<void> {
    const { minTimeoutMs, maxTimeoutMs } = this.#settings.retry;
    const delay = Math.min(maxTimeoutMs, minTimeoutMs * 2 ** (failures - 1)) * (1 + Math.random());
    return pause(Math.min(delay, maxTimeoutMs), this.#stopping.signal);
  }

  async #publishPage(page: readonly LoggedEnvelope[]): Promise<void> {
    const last = (page[page.length - 1] as LoggedEnvelope).position;
    const positions = new Map(page.map((e) => [e.envelope.id, e.position]));
    await Promise.all(
      streamRuns(page.map((e) => e.envelope)).map((run) =>
        this.#inStreamOrder(run, positions.get(run[0]?.id ?? '') ?? last),
      ),
    );
  }

  /**
   * A run goes once the stream's run of the page before is acknowledged, retries included: a
   * stream's events never overtake each other, whatever pages are in flight.
   */
  #inStreamOrder(run: readonly Envelope[], position: LogPosition): Promise<void> {
    const stream = (run[0] as Envelope).stream;
    const before = this.#tails.get(stream);
    const mine = before
      ? before.then(() => this.#publishRun(run, position))
      : this.#publishRun(run, position);
    this.#tails.set(stream, mine);
    const forget = () => {
      if (this.#tails.get(stream) === mine) this.#tails.delete(stream);
    };
    mine.then(forget, forget);
    return mine;
  }

  /** A stream's run: prepared whole, or — when refused — event by event, parking the refused. */
  async #publishRun(run: readonly Envelope[], position: LogPosition): Promise<void> {
    let prepared;
    try {
      prepared = this.#publisher.prepare(run);
    } catch (error) {
      if (!(error instanceof InvalidEvent) || run.length === 1)
        return this.#refused(run, position, error);
      for (const envelope of run) await this.#publishRun([envelope], position);
      return;
    }
    const attributes = spanAttributes(this.target, run);
    const links = run.map((e) => e.metadata.traceparent);
    await inSpan('eventfan.relay.publish', { attributes, links }, () =>
      this.#withRetry(() => this.#publisher.publish(prepared, { attempt: 1 })),
    );
    this.#published += run.length;
  }

  async #refused(run: readonly Envelope[], position: LogPosition, error: unknown): Promise<void> {
    if (!(error instanceof InvalidEvent) || this.#settings.onRefused === 'stop') throw error;
    const reason = describeCause(error);
    for (const envelope of run) {
      await this.#settings.deadLetters.park({
        target: this.target,
        position,
        envelope,
        reason,
        time: new Date().toISOString(),
      });
      this.#parked++;
      this.#settings.report(
        this.target,
        `parked ${envelope.id} (${envelope.stream} #${envelope.generation}): ${reason}`,
      );
    }
  }

  /**
   * A send, then — when it failed retriably — p-retry's backoff and jitter for the attempts after
   * it. The first attempt runs bare: the retry machinery per publish cost a page of many streams
   * more than its sending did.
   */
  async #withRetry<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await this.#attempt(send);
    } catch (error) {
      if (
        !isRetriable(error) ||
        this.#stopping.signal.aborted ||
        this.#settings.retry.retries === 0
      ) {
        throw error;
      }
      this.#failedAttempt(1, error);
    }
    const { retry } = this.#settings;
    await pause(retry.minTimeoutMs * (1 + Math.random()), this.#stopping.signal);
    const result = await pRetry(
      async () => {
        try {
          return await this.#attempt(send);
        } catch (error) {
          // A refusal no retry can mend ends the target; anything else is retried.
          if (!isRetriable(error))
            throw new AbortError(error instanceof Error ? error : String(error));
          throw error;
        }
      },
      {
        signal: this.#stopping.signal,
        // retry's `forever` keeps one timeout in hand; an infinite `retries` would build them all.
        ...(Number.isFinite(retry.retries) ? { retries: retry.retries - 1 } : { forever: true }),
        minTimeout: retry.minTimeoutMs,
        maxTimeout: retry.maxTimeoutMs,
        randomize: true,
        onFailedAttempt: (failure) => this.#failedAttempt(failure.attemptNumber + 1, failure),
      },
    );
    this.#state = 'running';
    return result;
  }

  /** One send, tracked so that stop() lets it finish. */
  async #attempt<T>(send: () => Promise<T>): Promise<T> {
    const attempt = send();
    this.#inFlight.add(attempt);
    try {
      return await attempt;
    } finally {
      this.#inFlight.delete(attempt);
    }
  }

  #failedAttempt(attempt: number, error: unknown): void {
    this.#state = 'retrying';
    this.#lastError = describeCause(error);
    this.#settings.report(this.target, `retrying (attempt ${attempt}): ${this.#lastError}`);
  }

  async #save(position: LogPosition): Promise<void> {
    this.#version = await this.#settings.checkpoints.save(
      this.#settings.key,
      position,
      this.#version,
    );
    this.#position = position;
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#idle = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.#settings.idleMs);
      this.#idle = done;
    });
  }

  #end(error: unknown): void {
    if (this.#stopping.signal.aborted) {
      this.#state = 'stopped';
      return;
    }
    this.#lastError = describeCause(error);
    this.#state = error instanceof CheckpointConflict ? 'stood-down' : 'failed';
    this.#settings.report(this.target, `${this.#state}: ${this.#lastError}`);
  }
}

/** Waits `ms`, or less when the signal fires first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
