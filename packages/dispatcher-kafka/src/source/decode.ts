import { fromKafkaRecord, toEnvelope } from '@eventfan/cloudevents';
import type { Incoming } from '@eventfan/core';
import type { KafkaMessage } from 'kafkajs';
import { positionOf } from './position.js';

/**
 * The envelope a consumed record carries (binary or structured CloudEvent), or, for a record that
 * is not an eventfan CloudEvent, the reason, for the subscription to park it.
 */
export function decodeRecord(topic: string, partition: number, message: KafkaMessage): Incoming {
  const position = positionOf(topic, partition, message.offset);
  try {
    return { envelope: toEnvelope(fromKafkaRecord(message)), position };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)), position };
  }
}
