import type { Envelope } from '@eventfan/core';
import type { JetStreamClient, MsgHdrs } from 'nats';

const encoder = new TextEncoder();

/**
 * One event as the raw `nats` client publishes it by hand: the CloudEvents binary-mode headers
 * eventfan would write, `Nats-Msg-Id` = event id, awaiting the PubAck.
 */
export async function publishRaw(
  js: JetStreamClient,
  headers: () => MsgHdrs,
  subject: string,
  e: Envelope,
): Promise<void> {
  const h = headers();
  h.set('ce-specversion', '1.0');
  h.set('ce-id', e.id);
  h.set('ce-source', e.source);
  h.set('ce-type', e.type);
  h.set('ce-subject', e.stream);
  h.set('ce-time', e.time);
  h.set('ce-datacontenttype', 'application/json');
  h.set('content-type', 'application/json');
  h.set('ce-sequence', String(e.generation).padStart(20, '0'));
  h.set('ce-partitionkey', e.stream);
  h.set('ce-eventversion', e.version);
  h.set('ce-aggregate', e.aggregate);
  h.set('ce-correlationid', e.metadata.correlationId ?? '');
  await js.publish(subject, encoder.encode(JSON.stringify(e.data)), { msgID: e.id, headers: h });
}
