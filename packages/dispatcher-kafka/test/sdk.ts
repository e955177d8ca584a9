import { Kafka as KafkaBinding } from 'cloudevents';
import type { CloudEventV1, KafkaMessage } from 'cloudevents';
import type { ReadRecord } from './topic-reader.js';

/**
 * The record decoded by the `cloudevents` SDK's Kafka binding: an independent reader, so our own
 * decoder is not the only judge of what went out. The SDK wants string headers and value.
 */
export function decodeWithSdk(record: ReadRecord): CloudEventV1<unknown> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers)) {
    if (value !== undefined) headers[name] = String(value);
  }
  const value = record.value?.toString() ?? '';
  const message: KafkaMessage<string> = { key: record.key ?? '', value, headers, body: value };
  return KafkaBinding.toEvent(message) as CloudEventV1<unknown>;
}
