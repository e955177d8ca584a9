import { BrokerUnavailable, checkBatch, type DispatchContext, type Envelope } from '@eventfan/core';
import type { NatsConnection } from './client.js';
import { encodeAll, type Outgoing } from './encode.js';
import type { Settings } from './options.js';

/**
 * What every dispatch checks before it sends anything, in either mode: the batch against its
 * context, an open dispatcher and connection, and every envelope encoded (InvalidEvent refuses the
 * whole batch).
 */
export function prepareBatch(
  envelopes: readonly Envelope[],
  context: DispatchContext,
  settings: Settings,
  connection: NatsConnection,
  closed: boolean,
): Outgoing[] {
  checkBatch(context.stream, envelopes, context.expectedGeneration);
  if (closed || connection.isClosed()) {
    throw new BrokerUnavailable(
      settings.name,
      `${closed ? 'the dispatcher' : 'its NATS connection'} is closed; nothing of stream "${context.stream}" was sent`,
    );
  }
  return encodeAll(envelopes, {
    subjectOf: settings.subjectOf,
    mode: settings.encoding,
    headers: settings.headers,
    maxPayload: connection.info?.max_payload,
  });
}
