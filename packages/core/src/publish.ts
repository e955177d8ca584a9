import type { Envelope } from './envelope.js';
import { describeCause, EventfanError, isRetriable } from './errors.js';
import type { Prepared, PublishContext, Publisher, Receipt } from './publisher.js';
import { inSpan, spanAttributes, type TraceParent } from './tracing.js';

/** Why one publisher did not take the events. */
export interface TargetFailure {
  readonly target: string;
  readonly error: Error;
}

/** A publisher with the batch it prepared. */
export interface PreparedFor {
  readonly publisher: Publisher;
  readonly prepared: Prepared;
}

/** Every publisher's prepare, in order; the first refusal is thrown, so nothing is stored. */
export function prepareAll(
  publishers: readonly Publisher[],
  envelopes: readonly Envelope[],
): PreparedFor[] {
  return publishers.map((publisher) => ({ publisher, prepared: publisher.prepare(envelopes) }));
}

export interface PublishOutcome {
  readonly receipts: readonly Receipt[];
  readonly failures: readonly TargetFailure[];
}

/** Publishes to every target concurrently; one failing never stops or delays the others. */
export async function publishAll(
  batches: readonly PreparedFor[],
  context: PublishContext,
  parent?: TraceParent,
): Promise<PublishOutcome> {
  // async: a publisher that throws synchronously fails alone, like one that rejects.
  const settled = await Promise.allSettled(
    batches.map(async ({ publisher, prepared }) =>
      inSpan(
        'eventfan.publish',
        { parent, attributes: spanAttributes(publisher.name, prepared.envelopes) },
        () => publisher.publish(prepared, context),
      ),
    ),
  );
  const receipts: Receipt[] = [];
  const failures: TargetFailure[] = [];
  settled.forEach((outcome, i) => {
    const { publisher, prepared } = batches[i] as PreparedFor;
    try {
      if (outcome.status === 'rejected') throw outcome.reason;
      receipts.push(checkReceipt(publisher.name, prepared.envelopes, outcome.value));
    } catch (reason) {
      const error = reason instanceof Error ? reason : new Error(String(reason));
      failures.push({ target: publisher.name, error });
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
      `Publisher "${target}" returned a receipt for ${ids.length} events where ${envelopes.length} were sent, or out of order: this is a bug in that publisher`,
      { retriable: true },
    );
  }
  return receipt.target === target ? receipt : { ...receipt, target };
}

/** The outcome of a command whose events were stored but not taken by every publisher. */
export interface PartialOutcome<T> {
  readonly result: T;
  readonly receipts: readonly Receipt[];
  readonly failures: readonly TargetFailure[];
}

/**
 * The events were stored, but some publishers did not take them. `receipts` are those that did
 * (the store's first); `retry()` re-sends the same envelopes (same ids) to the failed publishers
 * only — when `retriable`, as it says.
 */
export class DispatchFailed<T = unknown> extends EventfanError {
  readonly stream: string;
  readonly failures: readonly TargetFailure[];
  readonly receipts: readonly Receipt[];
  /** What the command produced (state, envelopes…): the events are stored. */
  readonly result: T;
  readonly #retry: () => Promise<T>;

  constructor(stream: string, outcome: PartialOutcome<T>, retry: () => Promise<T>) {
    const retriable = outcome.failures.some((f) => isRetriable(f.error));
    const lines = outcome.failures.map((f) => `  - ${f.target}: ${describeCause(f.error)}`);
    const advice = retriable
      ? 'call retry() to re-send to those only'
      : 'a retry cannot help: fix the publisher or its broker, then call retry()';
    super(
      'DISPATCH_FAILED',
      `The events of stream "${stream}" are stored, but ${outcome.failures.length} of ${outcome.failures.length + outcome.receipts.length} targets did not take them (${advice}):\n${lines.join('\n')}`,
      { cause: outcome.failures[0]?.error, retriable },
    );
    this.stream = stream;
    this.failures = outcome.failures;
    this.receipts = outcome.receipts;
    this.result = outcome.result;
    this.#retry = retry;
  }

  /** Re-sends to the publishers that failed; resolves like the command would have, or throws again. */
  retry(): Promise<T> {
    return this.#retry();
  }
}

/**
 * Publishes and, while targets fail, keeps the receipts of those that took the events so a retry
 * only touches the rest.
 */
export interface Delivery {
  readonly stream: string;
  readonly batches: readonly PreparedFor[];
  readonly attempt: number;
  readonly parent?: TraceParent;
  /** The caller's signal, for the first attempt: a retry later is the caller's new decision. */
  readonly signal?: AbortSignal | undefined;
}

export async function deliver<T>(
  delivery: Delivery,
  complete: (receipts: readonly Receipt[]) => T,
  earlier: readonly Receipt[],
): Promise<T> {
  const { stream, batches, attempt } = delivery;
  if (batches.length === 0) return complete([...earlier]); // a handler without publishers
  const context = delivery.signal ? { attempt, signal: delivery.signal } : { attempt };
  const outcome = await publishAll(batches, context, delivery.parent);
  const receipts = [...earlier, ...outcome.receipts];
  if (outcome.failures.length === 0) return complete(receipts);
  const failed = new Set(outcome.failures.map((f) => f.target));
  const again = batches.filter((b) => failed.has(b.publisher.name));
  throw new DispatchFailed(
    stream,
    { result: complete(receipts), receipts, failures: outcome.failures },
    () => deliver({ stream, batches: again, attempt: attempt + 1 }, complete, receipts),
  );
}
