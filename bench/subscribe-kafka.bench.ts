/**
 * Subscribing to Kafka: core's `subscribe` on `kafkaSource` (typed decode, per-stream marks,
 * offsets committed after each handled slice) against a raw kafkajs consumer's `eachBatch` (its
 * default auto-commit), both reading the same N events of a 3-partition topic from a fresh group,
 * from the start: group join, reading, and leaving the group are in both timings. The same decode
 * work is included on both sides: the raw consumer turns each record into its envelope with
 * `fromKafkaRecord` + `toEnvelope`, as a user of raw kafkajs would to read eventfan's events.
 * Paired rounds (bench/paired.ts). Bounded: under a minute on 2 loaded cores.
 * Run: npm run bench -- subscribe-kafka   (KAFKA_BROKERS, or Kafka's jars from `bash scripts/fetch-kafka.sh`)
 */
import { randomUUID } from 'node:crypto';
import { envelopeToKafkaRecord, fromKafkaRecord, toEnvelope } from '@eventfan/cloudevents';
import { subscribe } from '@eventfan/core';
import { kafkaSource } from '@eventfan/dispatcher-kafka';
import {
  acquireBroker,
  ConformanceEvent,
  isMissing,
  kafkaBroker,
  sampleEnvelopes,
} from '@eventfan/testing';
import { Kafka, logLevel } from 'kafkajs';
import { comparePaired, type SideResult } from './paired.js';
import { formatRate, printTable } from './report.js';

const EVENTS = Number(process.env['EVENTFAN_BENCH_SUBSCRIBE_EVENTS'] ?? 20_000);
const PER_STREAM = 1_000;
const ROUNDS = 5;
const TOPIC = `eventfan-bench-subscribe-${randomUUID().slice(0, 8)}`;
/** Both consumers wait this long for more at most: the end of the topic is met as quickly. */
const MAX_WAIT_MS = 100;

const broker = await acquireBroker(kafkaBroker);
if (isMissing(broker)) {
  console.error(`bench/subscribe-kafka: ${broker.missing}`);
  process.exit(1);
}
const kafka = new Kafka({ brokers: broker.url.split(','), logLevel: logLevel.NOTHING });
try {
  await seed();
  const measured = await comparePaired(ours, raw, { events: EVENTS, rounds: ROUNDS, warmup: 1 });
  const side = (s: SideResult) =>
    `${formatRate(s.perSecond, 9)} (best round), node CPU ${s.cpuMicrosPerEvent.toFixed(1)} µs/event`;
  printTable(
    `subscribe kafka: ${EVENTS.toLocaleString('en')} events (streams of ${PER_STREAM}, 3 partitions) from a fresh group, decode included on both sides; ${ROUNDS} paired rounds after a warm-up; ${broker.label}`,
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
  // Unindented: the headline bench/run.ts saves (median of the rounds' ratios).
  console.log(`subscribe kafka: ratio ${measured.ratio.toFixed(2)}x (target >= 0.9)`);
} finally {
  await broker.dispose();
}

/** The topic, written once by a plain producer: both sides read the very same records. */
async function seed(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let done = 0; done < EVENTS; done += PER_STREAM) {
    const envelopes = await sampleEnvelopes(`bench-${randomUUID()}`, PER_STREAM);
    await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: envelopes.map((e) => envelopeToKafkaRecord(e)),
    });
  }
  await producer.disconnect();
}

async function ours(): Promise<void> {
  let handled = 0;
  let all = () => {};
  const finished = new Promise<void>((resolve) => (all = resolve));
  const subscription = subscribe({
    source: kafkaSource({
      kafka,
      groupId: `bench-ours-${randomUUID()}`,
      topics: [TOPIC],
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

async function raw(): Promise<void> {
  let read = 0;
  let all = () => {};
  const finished = new Promise<void>((resolve) => (all = resolve));
  const consumer = kafka.consumer({
    groupId: `bench-raw-${randomUUID()}`,
    maxWaitTimeInMs: MAX_WAIT_MS,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
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
