import { EventfanError, InvalidEvent, findNonJson } from '@eventfan/core';
import type { Envelope } from '@eventfan/core';
import { envelopeToKafkaRecord } from '@eventfan/cloudevents';
import type { KafkaRecord } from '@eventfan/cloudevents';
import type { KafkaContentMode } from './options.js';

/** The events of one dispatch that go to one topic, encoded, in stream order. */
export interface TopicBatch {
  readonly topic: string;
  readonly envelopes: Envelope[];
  readonly messages: KafkaRecord[];
}

export interface EncodeOptions {
  readonly topic: (envelope: Envelope) => string;
  readonly mode: KafkaContentMode;
  readonly maxMessageBytes: number;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
/** A record batch's header, and the most one record's own framing can add (varints, attributes). */
const BATCH_OVERHEAD = 61;
const RECORD_OVERHEAD = 21;

/**
 * The envelopes as Kafka records (CloudEvents Kafka binding, key = stream), grouped by topic in the
 * order topics first appear. Throws InvalidEvent — before anything is sent — for data that is not
 * JSON, an event that cannot be a CloudEvent, a bad topic name, or a record or a topic's batch over
 * `maxMessageBytes`.
 */
export function toTopicBatches(
  envelopes: readonly Envelope[],
  options: EncodeOptions,
): TopicBatch[] {
  const batches = new Map<string, Pending>();
  let checkedTopic: string | undefined;
  for (const envelope of envelopes) {
    const topic = options.topic(envelope);
    if (topic !== checkedTopic) {
      if (typeof topic !== 'string' || !TOPIC_NAME.test(topic)) {
        throw new InvalidEvent(
          `topic ${JSON.stringify(topic)} is not a Kafka topic name ([a-zA-Z0-9._-], 1 to 249 characters); check the dispatcher's topic function`,
          where(envelope),
        );
      }
      checkedTopic = topic;
    }
    const message = encode(envelope, options.mode);
    const max = options.maxMessageBytes;
    // The exact size costs a UTF-8 length per header: only taken when the bound could be over.
    let bytes = bytesAtMost(message);
    if (bytes + BATCH_OVERHEAD > max) {
      bytes = recordBytes(message);
      if (bytes + BATCH_OVERHEAD > max) {
        throw new InvalidEvent(
          `its Kafka record for topic "${topic}" is ${bytes} bytes, over the ${max}-byte limit (maxMessageBytes)`,
          where(envelope),
        );
      }
    }
    let batch = batches.get(topic);
    if (!batch) {
      batch = { topic, envelopes: [], messages: [], bytes: BATCH_OVERHEAD, exact: false };
      batches.set(topic, batch);
    }
    batch.envelopes.push(envelope);
    batch.messages.push(message);
    batch.bytes += batch.exact ? recordBytes(message) : bytes;
    if (batch.bytes > max && !batch.exact) {
      batch.bytes = batch.messages.reduce((sum, m) => sum + recordBytes(m), BATCH_OVERHEAD);
      batch.exact = true;
    }
    if (batch.bytes > max) {
      // One send per topic puts a stream's events in one record batch, which the broker takes or
      // refuses whole: refuse it here, where nothing has been sent yet.
      throw new InvalidEvent(
        `the ${batch.messages.length} events of this dispatch for topic "${topic}" total ${batch.bytes} bytes, over the ${max}-byte limit (maxMessageBytes) for one Kafka record batch; dispatch fewer or smaller events at once`,
        where(envelope),
      );
    }
  }
  return [...batches.values()];
}

/** A topic's batch while it fills; `bytes` is an upper bound until `exact`. */
interface Pending extends TopicBatch {
  bytes: number;
  exact: boolean;
}

function where(envelope: Envelope): { stream: string; generation: number; type: string } {
  return { stream: envelope.stream, generation: envelope.generation, type: envelope.type };
}

/**
 * toCloudEvent checks the data as well, so findNonJson runs only when encoding failed (or there is
 * no data, which toCloudEvent allows): it names where the data stops being JSON, and a data error
 * wins over any other, as the data is looked at first.
 */
function encode(envelope: Envelope, mode: KafkaContentMode): KafkaRecord {
  if (envelope.data === undefined) throwIfNotJson(envelope);
  try {
    return envelopeToKafkaRecord(envelope, { mode });
  } catch (error) {
    throwIfNotJson(envelope);
    if (error instanceof EventfanError) throw new InvalidEvent(error.message, where(envelope));
    throw error;
  }
}

function throwIfNotJson(envelope: Envelope): void {
  const notJson = findNonJson(envelope.data, '$.data');
  if (notJson) throw new InvalidEvent(notJson, { ...where(envelope), path: '$.data' });
}

/** At least the record's size (recordBytes): a UTF-16 code unit is at most 3 bytes in UTF-8. */
function bytesAtMost(message: KafkaRecord): number {
  let bytes = RECORD_OVERHEAD + (message.value?.length ?? 0) + 3 * (message.key?.length ?? 0);
  for (const name in message.headers) {
    bytes += 2 + 3 * (name.length + (message.headers[name] as string).length);
  }
  return bytes;
}

function recordBytes(message: KafkaRecord): number {
  let bytes = RECORD_OVERHEAD + (message.value?.length ?? 0);
  if (message.key !== null) bytes += Buffer.byteLength(message.key);
  for (const name in message.headers) {
    bytes += 2 + Buffer.byteLength(name) + Buffer.byteLength(message.headers[name] as string);
  }
  return bytes;
}
