import { OperationAborted } from '../errors.js';
import { MAX_TIMER_MS } from './milliseconds.js';

export interface DeadlineOptions {
  readonly timeoutMs: number;
  /** The error when the deadline passes first (usually BrokerUnavailable, timed out). */
  readonly onTimeout: () => Error;
  readonly signal?: AbortSignal | undefined;
  /** For the OperationAborted error. */
  readonly target: string;
  readonly stream: string;
}

/**
 * Settles with `sending`, or fails when the deadline passes or the signal fires first. The send
 * may still land later: the caller was told it failed, and re-sends carry the same ids.
 */
export function withDeadline<T>(sending: Promise<T>, options: DeadlineOptions): Promise<T> {
  const { signal } = options;
  if (signal?.aborted) {
    sending.catch(() => {});
    return Promise.reject(new OperationAborted(options.target, options.stream, signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      settle(() => reject(new OperationAborted(options.target, options.stream, signal?.reason)));
    // A deadline past the longest timer is as good as none; past it, node would fire at once.
    const ms = Math.min(options.timeoutMs, MAX_TIMER_MS);
    const timer = setTimeout(() => settle(() => reject(options.onTimeout())), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    // Once settled, a later outcome of the send changes nothing.
    function settle(outcome: () => void): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    }
    sending.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}
