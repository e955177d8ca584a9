import { randomUUID } from 'node:crypto';
import type { Envelope } from '@eventfan/core';
import { kafkaPublisher } from '@eventfan/dispatcher-kafka';
import { Kafka, logLevel, type Message } from 'kafkajs';
import type { RelaySide } from './relay-sides.js';

/** The record a user of raw kafkajs would build: the same key, ce_ headers and JSON value. */
export function rawKafkaMessage(e: Envelope): Message {
  return {
    key: e.stream,
    value: Buffer.from(JSON.stringify(e.data)),
    headers: {
      ce_specversion: '1.0',
      ce_id: e.id,
      ce_source: e.source,
      ce_type: e.type,
      ce_subject: e.stream,
      ce_time: e.time,
      'content-type': 'application/json',
      ce_sequence: String(e.generation).padStart(20, '0'),
      ce_partitionkey: e.stream,
      ce_eventversion: e.version,
      ce_aggregate: e.aggregate,
      ce_correlationid: e.metadata.correlationId ?? '',
    },
  };
}

/**
 * Kafka for the relay benchmark: kafkaPublisher beside a raw idempotent kafkajs producer
 * (acks -1, one request in flight, as the publisher's) sending each page in one request.
 */
export async function kafkaRelaySide(url: string): Promise<RelaySide> {
  // A fresh topic per bench run; resets leave it, since every round's events are new.
  const topic = `relay-bench-${randomUUID().slice(0, 8)}`;
  const kafka = new Kafka({ brokers: url.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const publisher = kafkaPublisher({ producer, topic: () => topic });
  return {
    broker: 'kafka',
    publisher,
    rawPage: async (runs) => {
      await producer.send({ topic, acks: -1, messages: runs.flat().map(rawKafkaMessage) });
    },
    reset: async () => {},
    close: async () => {
      await publisher.close();
      await producer.disconnect();
    },
  };
}
