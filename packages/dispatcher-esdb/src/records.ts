import { InvalidEvent } from '@eventfan/core';
import type { Envelope } from '@eventfan/core';
import { encodeEach } from '@eventfan/core/adapter';
import { fromEsdbRecord, toCloudEvent, toEnvelope, toEsdbRecord } from '@eventfan/cloudevents';
import type { EsdbEventData, EsdbJson, EsdbRecordedEvent } from './client.js';

/**
 * The records of one append, each the envelope's CloudEvent in the EventStoreDB mapping. Refused
 * with InvalidEvent before anything is sent when an envelope cannot be encoded or the batch is over
 * the server's maximum append size.
 */
export function toRecords(
  target: string,
  stream: string,
  envelopes: readonly Envelope[],
  maxAppendSize: number,
): EsdbEventData[] {
  let size = 0;
  const records = encodeEach(target, envelopes, (envelope) => {
    const record = toEsdbRecord(toCloudEvent(envelope));
    size +=
      Buffer.byteLength(JSON.stringify(record.data ?? null)) +
      Buffer.byteLength(JSON.stringify(record.metadata));
    // The envelope's data passed the JSON check of toCloudEvent: the record is application/json.
    return {
      id: record.id,
      contentType: 'application/json' as const,
      type: record.type,
      data: record.data as EsdbJson,
      metadata: record.metadata,
    };
  });
  if (size > maxAppendSize) {
    throw new InvalidEvent(
      `the batch is ${size} bytes, over the server's maximum append size of ${maxAppendSize} bytes: nothing was sent`,
      { target, stream },
    );
  }
  return records;
}

/** A stored record as the envelope it was written from; InvalidEvent when eventfan did not write it. */
export function toStoredEnvelope(target: string, event: EsdbRecordedEvent): Envelope {
  try {
    return toEnvelope(fromEsdbRecord(event));
  } catch (error) {
    throw new InvalidEvent(
      `revision ${event.revision} (${event.type}) is not an eventfan event: ${error instanceof Error ? error.message : String(error)}`,
      { target, stream: event.streamId, generation: Number(event.revision) + 1, type: event.type },
    );
  }
}
