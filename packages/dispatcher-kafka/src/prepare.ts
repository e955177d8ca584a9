import { envelopeToKafkaRecord, type KafkaRecord } from '@eventfan/cloudevents';
import { InvalidEvent, type Envelope, type Prepared } from '@eventfan/core';
import { assertOpen, checkPublishBatch, encodeEach } from '@eventfan/core/adapter';
import type { Settings } from './options.js';
import { BATCH_OVERHEAD, bytesAtMost, recordBytes } from './record-bytes.js';

/** The records of one publish that go to one topic, in stream order. */
export interface TopicBatch {
  readonly topic: string;
  readonly messages: KafkaRecord[];
  /** What they add to a request: exact, or an upper bound well under the limit. */
  bytes: number;
}

/** A batch encoded and checked by a Kafka publisher: one record per envelope, grouped by topic. */
export interface KafkaPrepared extends Prepared {
  /** Each envelope's topic and record, in envelope order. */
  readonly records: readonly { readonly topic: string; readonly message: KafkaRecord }[];
  /** The same records by topic, in the order topics first appear. */
  readonly topics: readonly TopicBatch[];
  /** What the batch adds to a request, over all its topics (upper bound). */
  readonly bytes: number;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * The pre-flight: open, one stream with consecutive generations, every envelope a valid
 * CloudEvent as a Kafka record (key = stream) on a legal topic name, no record and no topic's
 * records over `maxMessageBytes` (the broker takes or refuses one partition's batch whole). No
 * I/O; throws TargetClosed or InvalidEvent, so nothing is sent or stored.
 */
export function prepareBatch(
  envelopes: readonly Envelope[],
  settings: Settings,
  closed: boolean,
): KafkaPrepared {
  const { name: target, maxMessageBytes: max } = settings;
  assertOpen(target, closed);
  const stream = checkPublishBatch(target, envelopes);
  const byTopic = new Map<string, TopicBatch>();
  let checked: string | undefined;
  const records = encodeEach(target, envelopes, (envelope) => {
    const topic = settings.topic(envelope);
    if (topic !== checked) {
      if (typeof topic !== 'string' || !TOPIC_NAME.test(topic)) {
        throw new InvalidEvent(
          `topic ${JSON.stringify(topic)} is not a Kafka topic name ([a-zA-Z0-9._-], 1 to 249 characters); check the publisher's topic function`,
        );
      }
      checked = topic;
    }
    const message = envelopeToKafkaRecord(envelope, { mode: settings.encoding });
    // The exact size costs a UTF-8 length per header: only taken when the bound could be over.
    let bytes = bytesAtMost(message);
    if (bytes + BATCH_OVERHEAD > max) {
      bytes = recordBytes(message);
      if (bytes + BATCH_OVERHEAD > max) {
        throw new InvalidEvent(
          `its Kafka record for topic "${topic}" is ${bytes} bytes, over the ${max}-byte limit (maxMessageBytes)`,
        );
      }
    }
    let batch = byTopic.get(topic);
    if (!batch) {
      batch = { topic, messages: [], bytes: BATCH_OVERHEAD };
      byTopic.set(topic, batch);
    }
    batch.messages.push(message);
    batch.bytes += bytes;
    if (batch.bytes > max) {
      batch.bytes = batch.messages.reduce((sum, m) => sum + recordBytes(m), BATCH_OVERHEAD);
      if (batch.bytes > max) {
        // One partition's records are one batch, which the broker takes or refuses whole.
        throw new InvalidEvent(
          `the ${batch.messages.length} events of this batch for topic "${topic}" total ${batch.bytes} bytes, over the ${max}-byte limit (maxMessageBytes) for one Kafka record batch; publish fewer or smaller events at once`,
        );
      }
    }
    return { topic, message };
  });
  const topics = [...byTopic.values()];
  const bytes = topics.reduce((sum, t) => sum + t.bytes, 0);
  return { target, stream, envelopes, records, topics, bytes };
}

/** This package's prepared batches are the ones that carry Kafka records. */
export const isKafkaPrepared = (prepared: Prepared): prepared is KafkaPrepared =>
  Array.isArray((prepared as Partial<KafkaPrepared>).records);
