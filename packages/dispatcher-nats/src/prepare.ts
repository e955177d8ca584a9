import type { Envelope, Prepared } from '@eventfan/core';
import { assertOpen, checkPublishBatch } from '@eventfan/core/adapter';
import { encodeAll, type Outgoing } from './encode.js';
import { limitsOf } from './limits.js';
import type { Settings } from './options.js';

/** A batch encoded and checked for one NATS publisher: one message per envelope, in order. */
export interface NatsPrepared extends Prepared {
  readonly messages: readonly Outgoing[];
}

/**
 * The pre-flight of either publisher: open, one stream with consecutive generations, every
 * envelope encoded and within the connected server's limits. No I/O; throws TargetClosed or
 * InvalidEvent.
 */
export function prepareBatch(
  envelopes: readonly Envelope[],
  settings: Settings,
  state: { readonly closed: boolean; readonly withReply: boolean },
): NatsPrepared {
  assertOpen(settings.name, state.closed);
  const stream = checkPublishBatch(settings.name, envelopes);
  const messages = encodeAll(envelopes, {
    target: settings.name,
    subjectOf: settings.subjectOf,
    mode: settings.encoding,
    headers: settings.headers,
    limits: limitsOf(settings.connection, state.withReply),
  });
  return { target: settings.name, stream, envelopes, messages };
}

/** This package's prepared batches are the ones that carry NATS messages. */
export const isNatsPrepared = (prepared: Prepared): prepared is NatsPrepared =>
  Array.isArray((prepared as Partial<NatsPrepared>).messages);
