import type { KafkaRecord } from '@eventfan/cloudevents';

/** A record batch's header, and the most one record's own framing can add (varints, attributes). */
export const BATCH_OVERHEAD = 61;
const RECORD_OVERHEAD = 21;

/** At least the record's size (recordBytes): a UTF-16 code unit is at most 3 bytes in UTF-8. */
export function bytesAtMost(message: KafkaRecord): number {
  let bytes = RECORD_OVERHEAD + (message.value?.length ?? 0) + 3 * (message.key?.length ?? 0);
  for (const name in message.headers) {
    bytes += 2 + 3 * (name.length + (message.headers[name] as string).length);
  }
  return bytes;
}

/** The most the record adds to a record batch. */
export function recordBytes(message: KafkaRecord): number {
  let bytes = RECORD_OVERHEAD + (message.value?.length ?? 0);
  if (message.key !== null) bytes += Buffer.byteLength(message.key);
  for (const name in message.headers) {
    bytes += 2 + Buffer.byteLength(name) + Buffer.byteLength(message.headers[name] as string);
  }
  return bytes;
}
