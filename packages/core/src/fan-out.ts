import type { DispatchContext, Dispatcher, Receipt } from './dispatcher.js';
import type { Envelope } from './envelope.js';
import { ConcurrencyConflict, EventfanError, describeCause } from './errors.js';

/** Why one target did not take the envelopes. `skipped`: never tried, because a store failed. */
export interface TargetFailure {
  readonly target: string;
  readonly error: Error;
  readonly skipped: boolean;
}

export interface FanOutResult {
  readonly receipts: readonly Receipt[];
  readonly failures: readonly TargetFailure[];
}

/**
 * Sends the envelopes to every dispatcher: stores first, then — only if every store took them —
 * publishers. Targets of one phase run concurrently; one failing never stops the others.
 */
export async function fanOut(
  envelopes: readonly Envelope[],
  dispatchers: readonly Dispatcher[],
  context: DispatchContext,
): Promise<FanOutResult> {
  assertUniqueNames(dispatchers);
  const stores = dispatchers.filter((d) => d.role === 'store');
  const publishers = dispatchers.filter((d) => d.role !== 'store');
  const first = await sendAll(envelopes, stores, context);
  if (first.failures.length > 0) {
    const failed = first.failures.map((f) => `"${f.target}"`).join(', ');
    const skipped = publishers.map((d) => ({
      target: d.name,
      skipped: true,
      error: new EventfanError(
        'NOT_SENT',
        `Not sent to "${d.name}": store ${failed} did not record the events of stream "${context.stream}", so they were not published`,
      ),
    }));
    return { receipts: first.receipts, failures: [...first.failures, ...skipped] };
  }
  const second = await sendAll(envelopes, publishers, context);
  return {
    receipts: [...first.receipts, ...second.receipts],
    failures: second.failures,
  };
}

async function sendAll(
  envelopes: readonly Envelope[],
  dispatchers: readonly Dispatcher[],
  context: DispatchContext,
): Promise<FanOutResult> {
  // async: a dispatcher that throws synchronously fails alone, like one that rejects.
  const settled = await Promise.allSettled(
    dispatchers.map(async (d) => d.dispatch(envelopes, context)),
  );
  const receipts: Receipt[] = [];
  const failures: TargetFailure[] = [];
  settled.forEach((outcome, i) => {
    const target = (dispatchers[i] as Dispatcher).name;
    try {
      if (outcome.status === 'rejected') throw outcome.reason;
      receipts.push(checkReceipt(target, envelopes, outcome.value));
    } catch (reason) {
      const error = reason instanceof Error ? reason : new Error(String(reason));
      failures.push({ target, error, skipped: false });
    }
  });
  return { receipts, failures };
}

/** A receipt that does not cover every envelope in order would hide a lost event. */
function checkReceipt(target: string, envelopes: readonly Envelope[], receipt: Receipt): Receipt {
  const ids = receipt.events.map((e) => e.id);
  if (ids.length !== envelopes.length || envelopes.some((e, i) => e.id !== ids[i])) {
    throw new EventfanError(
      'BAD_RECEIPT',
      `Dispatcher "${target}" returned a receipt for ${ids.length} events where ${envelopes.length} were sent, or out of order: this is a bug in that dispatcher`,
    );
  }
  return receipt.target === target ? receipt : { ...receipt, target };
}

function assertUniqueNames(dispatchers: readonly Dispatcher[]): void {
  const seen = new Set<string>();
  for (const d of dispatchers) {
    if (seen.has(d.name)) {
      throw new TypeError(
        `two dispatchers are named "${d.name}": names identify targets in receipts and retries`,
      );
    }
    seen.add(d.name);
  }
}

/** The outcome of a dispatch in which some target failed. */
export interface PartialOutcome<T> {
  readonly result: T;
  readonly receipts: readonly Receipt[];
  readonly failures: readonly TargetFailure[];
}

/**
 * Some targets did not take the events. `receipts` are those that did; `retry()` re-sends the same
 * envelopes (same ids) to the failed and skipped targets only.
 */
export class DispatchFailed<T = unknown> extends EventfanError {
  readonly stream: string;
  readonly failures: readonly TargetFailure[];
  readonly receipts: readonly Receipt[];
  /** What the dispatch produced (state, envelopes…), valid once the failed targets are retried. */
  readonly result: T;
  readonly #retry: () => Promise<T>;

  constructor(stream: string, outcome: PartialOutcome<T>, retry: () => Promise<T>) {
    const lines = outcome.failures.map(
      (f) => `  - ${f.target}: ${f.skipped ? 'skipped' : 'failed'}: ${describeCause(f.error)}`,
    );
    super(
      'DISPATCH_FAILED',
      `Dispatch of stream "${stream}" failed for ${outcome.failures.length} of ${outcome.failures.length + outcome.receipts.length} targets (call retry() to re-send to those only):\n${lines.join('\n')}`,
      { cause: outcome.failures[0]?.error },
    );
    this.stream = stream;
    this.failures = outcome.failures;
    this.receipts = outcome.receipts;
    this.result = outcome.result;
    this.#retry = retry;
  }

  /** Re-sends to the targets that failed; resolves like the dispatch would have, or throws again. */
  retry(): Promise<T> {
    return this.#retry();
  }
}

/**
 * Fans out and, while targets fail, keeps the receipts of those that succeeded so a retry only
 * touches the rest. A pure concurrency conflict (nothing sent anywhere) is thrown as is: the
 * caller must reload and handle the command again, not retry the same events.
 */
export async function deliver<T>(
  envelopes: readonly Envelope[],
  dispatchers: readonly Dispatcher[],
  context: DispatchContext,
  complete: (receipts: readonly Receipt[]) => T,
  earlier: readonly Receipt[] = [],
): Promise<T> {
  const outcome = await fanOut(envelopes, dispatchers, context);
  const receipts = [...earlier, ...outcome.receipts];
  if (outcome.failures.length === 0) return complete(receipts);
  const tried = outcome.failures.filter((f) => !f.skipped);
  if (
    receipts.length === 0 &&
    tried.length > 0 &&
    tried.every((f) => f.error instanceof ConcurrencyConflict)
  ) {
    throw tried[0]?.error;
  }
  const failedNames = new Set(outcome.failures.map((f) => f.target));
  const again = dispatchers.filter((d) => failedNames.has(d.name));
  const next = { ...context, attempt: context.attempt + 1 };
  return Promise.reject(
    new DispatchFailed(
      context.stream,
      { result: complete(receipts), receipts, failures: outcome.failures },
      () => deliver(envelopes, again, next, complete, receipts),
    ),
  );
}
