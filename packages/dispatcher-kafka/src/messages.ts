import { EventfanError, InvalidEvent, findNonJson } from '@eventfan/core';
import type { Envelope } from '@eventfan/core';
import { toCloudEvent, toKafkaRecord } from '@eventfan/cloudevents';
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
  const batches = new Map<
    string,
    { envelopes: Envelope[]; messages: KafkaRecord[]; bytes: number }
  >();
  for (const envelope of envelopes) {
    const where = { stream: envelope.stream, generation: envelope.generation, type: envelope.type };
    const topic = options.topic(envelope);
    if (typeof topic !== 'string' || !TOPIC_NAME.test(topic)) {
      throw new InvalidEvent(
        `topic ${JSON.stringify(topic)} is not a Kafka topic name ([a-zA-Z0-9._-], 1 to 249 characters); check the dispatcher's topic function`,
        where,
      );
    }
    const notJson = findNonJson(envelope.data, '$.data');
    if (notJson) throw new InvalidEvent(notJson, { ...where, path: '$.data' });
    const message = encode(envelope, options.mode, where);
    const bytes = recordBytes(message);
    if (bytes + BATCH_OVERHEAD > options.maxMessageBytes) {
      throw new InvalidEvent(
        `its Kafka record for topic "${topic}" is ${bytes} bytes, over the ${options.maxMessageBytes}-byte limit (maxMessageBytes)`,
        where,
      );
    }
    let batch = batches.get(topic);
    if (!batch)
      batches.set(topic, (batch = { envelopes: [], messages: [], bytes: BATCH_OVERHEAD }));
    batch.envelopes.push(envelope);
    batch.messages.push(message);
    batch.bytes += bytes;
    if (batch.bytes > options.maxMessageBytes) {
      // One send per topic puts a stream's events in one record batch, which the broker takes or
      // refuses whole: refuse it here, where nothing has been sent yet.
      throw new InvalidEvent(
        `the ${batch.messages.length} events of this dispatch for topic "${topic}" total ${batch.bytes} bytes, over the ${options.maxMessageBytes}-byte limit (maxMessageBytes) for one Kafka record batch; dispatch fewer or smaller events at once`,
        where,
      );
    }
  }
  return [...batches].map(([topic, { envelopes: events, messages }]) => ({
    topic,
    envelopes: events,
    messages,
  }));
}

function encode(
  envelope: Envelope,
  mode: KafkaContentMode,
  where: { stream: string; generation: number; type: string },
): KafkaRecord {
  try {
    return toKafkaRecord(toCloudEvent(envelope), { mode });
  } catch (error) {
    if (error instanceof EventfanError) throw new InvalidEvent(error.message, where);
    throw error;
  }
}

function recordBytes(message: KafkaRecord): number {
  let bytes = RECORD_OVERHEAD + (message.value?.length ?? 0);
  if (message.key !== null) bytes += Buffer.byteLength(message.key);
  for (const name in message.headers) {
    bytes += 2 + Buffer.byteLength(name) + Buffer.byteLength(message.headers[name] as string);
  }
  return bytes;
}
