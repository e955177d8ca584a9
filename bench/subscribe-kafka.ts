/**
 * Subscribing to Kafka: core's `subscribe` on `kafkaSource` (typed decode, per-stream marks,
 * offsets committed after each handled slice) against a raw kafkajs consumer's `eachBatch` (its
 * default auto-commit), both reading the same N events of a 3-partition topic from a fresh group,
 * from the start: group join, reading, and leaving the group are in both timings. The same decode
 * work is included on both sides: the raw consumer turns each record into its envelope with
 * `fromKafkaRecord` + `toEnvelope`, as a user of raw kafkajs would to read eventfan's events.
 * Paired rounds (bench/paired.ts). Used by bench/subscribe.bench.ts and bench/subscribe-kafka.bench.ts.
 */
import { randomUUID } from 'node:crypto';
import { envelopeToKafkaRecord, fromKafkaRecord, toEnvelope } from '@eventfan/cloudevents';
import { subscribe } from '@eventfan/core';
import { kafkaSource } from '@eventfan/dispatcher-kafka';
import { ConformanceEvent, sampleEnvelopes } from '@eventfan/testing';
import { Kafka, logLevel } from 'kafkajs';
import { comparePaired, type Paired, type SideResult } from './paired.js';
import { formatRate, printTable } from './report.js';

const EVENTS = Number(process.env['EVENTFAN_BENCH_SUBSCRIBE_EVENTS'] ?? 20_000);
const PER_STREAM = 1_000;
const ROUNDS = 9;
/** Both consumers wait this long for more at most: the end of the topic is met as quickly. */
const MAX_WAIT_MS = 100;

/** Seeds a fresh topic on `brokers`, compares, prints the table and `subscribe kafka: ratio <x>`. */
export async function compareKafkaSubscribe(brokers: string, label: string): Promise<Paired> {
  const kafka = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const topic = `eventfan-bench-subscribe-${randomUUID().slice(0, 8)}`;
  await seed(kafka, topic);
  const measured = await comparePaired(
    () => ours(kafka, topic),
    () => raw(kafka, topic),
    { events: EVENTS, rounds: ROUNDS, warmup: 1 },
  );
  const side = (s: SideResult) =>
    `${formatRate(s.perSecond, 9)} (best round), node CPU ${s.cpuMicrosPerEvent.toFixed(1)} µs/event`;
  printTable(
    `subscribe kafka: ${EVENTS.toLocaleString('en')} events (streams of ${PER_STREAM}, 3 partitions) from a fresh group, decode included on both sides; ${ROUNDS} paired rounds after a warm-up; ${label}`,
    [
      ['subscribe + kafkaSource', side(measured.first)],
      ['raw kafkajs eachBatch', side(measured.second)],
      ['ratio of the summed times', `${measured.overall.toFixed(2)}×`],
      [
        'node CPU, ours / raw',
        `${(measured.first.cpuMicrosPerEvent / measured.second.cpuMicrosPerEvent).toFixed(2)}×`,
      ],
    ],
  );
  return measured;
}

/** The topic, written once by a plain producer: both sides read the very same records. */
async function seed(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let done = 0; done < EVENTS; done += PER_STREAM) {
    const envelopes = await sampleEnvelopes(`bench-${randomUUID()}`, PER_STREAM);
    await producer.send({
      topic,
      acks: -1,
      messages: envelopes.map((e) => envelopeToKafkaRecord(e)),
    });
  }
  await producer.disconnect();
}

async function ours(kafka: Kafka, topic: string): Promise<void> {
  let handled = 0;
  let all = () => {};
  const finished = new Promise<void>((resolve) => (all = resolve));
  const subscription = subscribe({
    source: kafkaSource({
      kafka,
      groupId: `bench-ours-${randomUUID()}`,
      topics: [topic],
      fromBeginning: true,
      consumerConfig: { maxWaitTimeInMs: MAX_WAIT_MS },
    }),
    events: ConformanceEvent,
    handler: () => {
      if (++handled === EVENTS) all();
    },
  });
  await finished;
  await subscription.stop();
}

async function raw(kafka: Kafka, topic: string): Promise<void> {
  let read = 0;
  let all = () => {};
  const finished = new Promise<void>((resolve) => (all = resolve));
  const consumer = kafka.consumer({
    groupId: `bench-raw-${randomUUID()}`,
    maxWaitTimeInMs: MAX_WAIT_MS,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        toEnvelope(fromKafkaRecord(message));
        if (++read === EVENTS) all();
      }
    },
  });
  await finished;
  await consumer.disconnect();
}
