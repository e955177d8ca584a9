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
  return envelopes.map((envelope) => {
    const where = { stream: envelope.stream, generation: envelope.generation, type: envelope.type };
    const subject = options.subjectOf(envelope);
    const problem = publishSubjectProblem(subject);
    if (problem) throw new InvalidEvent(`cannot publish to NATS: ${problem}`, where);
    const record = toNatsRecord(toCloudEvent(envelope), { mode: options.mode });
    const size =
      record.data.byteLength +
      headerBytes(record.headers) +
      envelope.id.length +
      CLIENT_HEADER_BYTES;
    if (options.maxPayload !== undefined && size > options.maxPayload) {
      throw new InvalidEvent(
        `the NATS message for subject "${subject}" would be ${size} bytes with headers, over the server's max_payload of ${options.maxPayload} bytes; nothing of this batch was sent`,
        where,
      );
    }
    const headers = options.headers();
    for (const [key, value] of Object.entries(record.headers)) headers.set(key, value);
    return { envelope, subject, data: record.data, headers };
  });
}

/** `NATS/1.0\r\n` + one `key: value\r\n` per header + the closing `\r\n`. */
function headerBytes(headers: Readonly<Record<string, string>>): number {
  let bytes = 12;
  for (const [key, value] of Object.entries(headers))
    bytes += key.length + Buffer.byteLength(value) + 4;
  return bytes;
}
