import { toCloudEvent, toNatsRecord } from '@eventfan/cloudevents';
import { InvalidEvent, type Envelope } from '@eventfan/core';
import type { HeadersFactory, NatsHeaders } from './client.js';
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
  readonly subjectOf: (envelope: Envelope) => string;
  readonly mode: CloudEventMode;
  readonly headers: HeadersFactory;
  /** The server's `max_payload`; a message (headers included) over it is refused here. */
  readonly maxPayload: number | undefined;
}

/** Room for the headers the client adds: `Nats-Msg-Id` and the expected subject sequence. */
const CLIENT_HEADER_BYTES =
  'Nats-Msg-Id: \r\n'.length +
  'Nats-Expected-Last-Subject-Sequence: 18446744073709551615\r\n'.length;

/**
 * Encodes the whole batch before anything is sent, so that a bad subject, non-JSON data or an
 * event over the server's limit refuses the batch (InvalidEvent) instead of half-sending it.
 */
export function encodeAll(envelopes: readonly Envelope[], options: EncodeOptions): Outgoing[] {
  let checked: string | undefined;
  return envelopes.map((envelope) => {
    const subject = options.subjectOf(envelope);
    // A batch mostly goes to one subject: check each distinct one once.
    if (subject !== checked) {
      const problem = publishSubjectProblem(subject);
      if (problem) throw new InvalidEvent(`cannot publish to NATS: ${problem}`, where(envelope));
      checked = subject;
    }
    const record = toNatsRecord(toCloudEvent(envelope), { mode: options.mode });
    const headers = options.headers();
    // `NATS/1.0\r\n`, one `key: value\r\n` per header, a closing `\r\n`.
    let size = 12 + record.data.byteLength + envelope.id.length + CLIENT_HEADER_BYTES;
    for (const key in record.headers) {
      const value = record.headers[key] as string;
      size += key.length + Buffer.byteLength(value) + 4;
      headers.set(key, value);
    }
    if (options.maxPayload !== undefined && size > options.maxPayload) {
      throw new InvalidEvent(
        `the NATS message for subject "${subject}" would be ${size} bytes with headers, over the server's max_payload of ${options.maxPayload} bytes; nothing of this batch was sent`,
        where(envelope),
      );
    }
    return { envelope, subject, data: record.data, headers };
  });
}

function where(envelope: Envelope) {
  return { stream: envelope.stream, generation: envelope.generation, type: envelope.type };
}
