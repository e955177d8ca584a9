import { Kafka as KafkaBinding } from 'cloudevents';
import type { CloudEventV1 } from 'cloudevents';
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
  return KafkaBinding.toEvent({
    key: record.key ?? '',
    value: record.value?.toString() ?? '',
    headers,
    body: undefined,
  }) as CloudEventV1<unknown>;
}
