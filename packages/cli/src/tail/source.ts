import type { CloudEvent } from '@eventfan/cloudevents';
import { messageOf } from '../errors.js';

export type From = 'beginning' | 'end';

export interface TailOptions {
  readonly from: From;
  /** Keep reading after the end until the signal fires; otherwise stop at the end as it was. */
  readonly follow: boolean;
  readonly signal: AbortSignal;
  /** Called once the source listens (consumer joined, subscription open), for the "ready" line. */
  readonly onReady: (what: string) => void;
}

/** What a tail yields: a decoded CloudEvent, or a message that is not one (said, then skipped). */
export type Tailed =
  { readonly event: CloudEvent } | { readonly where: string; readonly problem: string };

/** Decodes one message; a message that is not a CloudEvent is reported instead of ending the tail. */
export function decoded(where: string, decode: () => CloudEvent): Tailed {
  try {
    return { event: decode() };
  } catch (error) {
    return { where, problem: messageOf(error) };
  }
}

/** Resolves when the signal fires (at once if it has). */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
