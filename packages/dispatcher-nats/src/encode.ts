import { envelopeToNatsRecord } from '@eventfan/cloudevents';
import { InvalidEvent, type Envelope } from '@eventfan/core';
import { encodeEach } from '@eventfan/core/adapter';
import type { HeadersFactory, NatsHeaders } from './client.js';
import { limitProblem, type MessageLimits } from './limits.js';
import { publishSubjectProblem } from './subject.js';

/** CloudEvents content mode on the wire: `ce-` headers + JSON data, or one JSON document. */
export type CloudEventMode = 'binary' | 'structured';

/** One envelope ready to publish. */
export interface Outgoing {
  readonly envelope: Envelope;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: NatsHeaders;
}

export interface EncodeOptions {
  readonly target: string;
  readonly subjectOf: (envelope: Envelope) => string;
  readonly mode: CloudEventMode;
  readonly headers: HeadersFactory;
  readonly limits: MessageLimits;
}

/**
 * Header bytes besides the CloudEvent's: the `NATS/1.0` line and closing line, `Nats-Msg-Id`
 * without its value, and room for the expected subject sequence the JetStream client may add.
 */
const OWN_HEADER_BYTES =
  'NATS/1.0\r\n\r\n'.length +
  'Nats-Msg-Id: \r\n'.length +
  'Nats-Expected-Last-Subject-Sequence: 18446744073709551615\r\n'.length;

/**
 * Encodes the whole batch before anything is sent, so that a bad subject, an event that cannot be
 * a CloudEvent or one over a server limit refuses the batch (InvalidEvent) instead of half-sending
 * it. `Nats-Msg-Id` is the event id: JetStream drops a re-sent one within its duplicate window.
 */
export function encodeAll(envelopes: readonly Envelope[], options: EncodeOptions): Outgoing[] {
  let checked: string | undefined;
  return encodeEach(options.target, envelopes, (envelope) => {
    const subject = options.subjectOf(envelope);
    // A batch mostly goes to one subject: check each distinct one once.
    if (subject !== checked) {
      const problem = publishSubjectProblem(subject);
      if (problem) throw new InvalidEvent(`cannot publish to NATS: ${problem}`);
      checked = subject;
    }
    const record = envelopeToNatsRecord(envelope, { mode: options.mode });
    const headers = options.headers();
    headers.set('Nats-Msg-Id', envelope.id);
    // One `key: value\r\n` per header.
    let bytes = OWN_HEADER_BYTES + envelope.id.length + record.data.byteLength;
    for (const key in record.headers) {
      const value = record.headers[key] as string;
      bytes += key.length + Buffer.byteLength(value) + 4;
      headers.set(key, value);
    }
    const problem = limitProblem(subject, bytes, options.limits);
    if (problem) throw new InvalidEvent(`${problem}; nothing of this batch was sent`);
    return { envelope, subject, data: record.data, headers };
  });
}
