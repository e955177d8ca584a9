import type { HeadersFactory } from '../client.js';
import { JetStreamApiRefusal, type ApiCall } from '../jetstream-api.js';
import type { PulledMessage } from './pull.js';

export interface Parking {
  readonly subject: string;
  readonly message: PulledMessage;
  readonly reason: string;
  readonly headers: HeadersFactory;
  readonly from: { readonly stream: string; readonly durable: string; readonly position: string };
}

/** Header values are one line of printable text: the reason is flattened and kept short. */
const MAX_REASON = 1_000;

const decoder = new TextDecoder();

/**
 * Publishes the message as it came (data and headers) to the dead-letter subject, with why, from
 * where and its original subject in `Eventfan-Parked-*` headers, and waits for the PubAck. Its
 * `Nats-Msg-Id` names the stream, consumer and sequence, so parking it again stores nothing twice.
 */
export async function parkMessage(call: ApiCall, parking: Parking): Promise<void> {
  const { message, from } = parking;
  const headers = parking.headers();
  for (const [key, value] of message.headers ?? []) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) if (typeof v === 'string') headers.set(key, v);
  }
  const reason = parking.reason.replace(/[\r\n\t]+/g, ' ').slice(0, MAX_REASON);
  headers.set('Eventfan-Parked-Reason', reason);
  headers.set('Eventfan-Parked-Subject', message.subject);
  headers.set('Eventfan-Parked-From', `${from.stream}/${from.durable}@${from.position}`);
  headers.set('Nats-Msg-Id', `parked:${from.stream}:${from.durable}:${from.position}`);
  const answer = await call.connection.request(parking.subject, message.data, {
    timeout: call.timeoutMs,
    headers,
  });
  const ack = JSON.parse(decoder.decode(answer.data)) as {
    error?: ConstructorParameters<typeof JetStreamApiRefusal>[1];
  };
  if (ack.error) throw new JetStreamApiRefusal(`park to ${parking.subject}`, ack.error);
}
