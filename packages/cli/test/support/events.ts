import {
  envelopeToKafkaRecord,
  fromNatsRecord,
  toEnvelope,
  type CloudEvent,
} from '@eventfan/cloudevents';
import type { Envelope } from '@eventfan/core';
import { esdbEventStore } from '@eventfan/dispatcher-esdb';
import { defaultSubject, ensureStream, natsPublisher } from '@eventfan/dispatcher-nats';
import { EventStoreDBClient } from '@eventstore/db-client';
import { CloudEvent as SdkCloudEvent } from 'cloudevents';
import { Kafka, logLevel } from 'kafkajs';
import { connect, headers } from 'nats';
import { expect } from 'vitest';

export { sampleEnvelopes, uniqueStream } from '@eventfan/testing';

/** A fresh subject prefix and JetStream stream, so tests never share one. */
export function uniqueNats(label: string): { prefix: string; stream: string } {
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return { prefix: `cli${suffix}.${label}`, stream: `CLI_${label}_${suffix}`.toUpperCase() };
}

/** The subject natsPublisher sends an envelope to under `prefix`. */
export function subjectOf(prefix: string, envelope: Envelope): string {
  return defaultSubject(prefix)(envelope);
}

/** Publishes through natsPublisher into a memory stream capturing `<prefix>.>`. */
export async function publishToNats(
  url: string,
  names: { prefix: string; stream: string },
  envelopes: readonly Envelope[],
): Promise<void> {
  const connection = await connect({ servers: url });
  try {
    await ensureStream(connection, {
      name: names.stream,
      subjects: [`${names.prefix}.>`],
      storage: 'memory',
    });
    const publisher = natsPublisher({ connection, headers, prefix: names.prefix });
    await publisher.publish(publisher.prepare(envelopes));
    await publisher.close();
  } finally {
    await connection.drain();
  }
}

/** Produces each envelope as a binary-mode CloudEvents record (key = stream). */
export async function produceToKafka(
  brokers: string,
  topic: string,
  envelopes: readonly Envelope[],
  partitions = 2,
): Promise<void> {
  const kafka = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: partitions }],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic, messages: envelopes.map((e) => envelopeToKafkaRecord(e)) });
  await producer.disconnect();
}

/** Appends one stream's envelopes through esdbEventStore (stored as CloudEvents). */
export async function appendToEsdb(url: string, envelopes: readonly Envelope[]): Promise<void> {
  const client = EventStoreDBClient.connectionString(url);
  const store = esdbEventStore({ client });
  try {
    const first = envelopes[0] as Envelope;
    await store.append(first.stream, envelopes, first.generation - 1);
  } finally {
    await store.close();
    await client.dispose();
  }
}

/** Field by field: a tail line (id, type, subject, time, data; tab-separated) is the envelope. */
export function expectLine(line: string, envelope: Envelope): void {
  const [id, type, subject, time, data, ...rest] = line.split('\t');
  expect(rest).toEqual([]);
  expect({ id, type, subject, time, data: JSON.parse(data ?? 'null') }).toEqual({
    id: envelope.id,
    type: envelope.type,
    subject: envelope.stream,
    time: envelope.time,
    data: envelope.data,
  });
}

/**
 * A `--json` line read by the cloudevents SDK (strict: it throws on an invalid event), then
 * compared field by field, and turned back into the envelope by our own decoder.
 */
export function expectJsonEvent(line: string, envelope: Envelope): void {
  const parsed = JSON.parse(line) as CloudEvent;
  const sdk = new SdkCloudEvent<unknown>(parsed as never, true);
  expect({
    specversion: sdk.specversion,
    id: sdk.id,
    source: sdk.source,
    type: sdk.type,
    subject: sdk.subject,
    time: sdk.time,
    datacontenttype: sdk.datacontenttype,
    data: sdk.data,
    sequence: Number(sdk['sequence']),
    partitionkey: sdk['partitionkey'],
    eventversion: sdk['eventversion'],
    aggregate: sdk['aggregate'],
  }).toEqual({
    specversion: '1.0',
    id: envelope.id,
    source: envelope.source,
    type: envelope.type,
    subject: envelope.stream,
    time: new Date(envelope.time).toISOString(),
    datacontenttype: 'application/json',
    data: envelope.data,
    sequence: envelope.generation,
    partitionkey: envelope.stream,
    eventversion: envelope.version,
    aggregate: envelope.aggregate,
  });
  expect(toEnvelope(parsed)).toEqual(envelope);
}

/**
 * Every CloudEvent JetStream holds in `stream`, read by an ordered consumer of our own (not the
 * bin) and decoded back into envelopes: what a replay or the relay published.
 */
export async function readNatsStream(url: string, stream: string): Promise<Envelope[]> {
  const connection = await connect({ servers: url });
  try {
    const info = await (await connection.jetstreamManager()).streams.info(stream);
    const count = info.state.messages;
    if (count === 0) return [];
    const consumer = await connection.jetstream().consumers.get(stream);
    const envelopes: Envelope[] = [];
    for await (const m of await consumer.fetch({ max_messages: count, expires: 5_000 })) {
      envelopes.push(toEnvelope(fromNatsRecord({ data: m.data, headers: m.headers })));
      if (envelopes.length === count) break;
    }
    return envelopes;
  } finally {
    await connection.close();
  }
}
