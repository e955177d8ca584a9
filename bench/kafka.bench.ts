/**
 * Kafka: events through KafkaDispatcher beside the same records sent with the raw kafkajs
 * `producer.send` (CloudEvents binary headers built by hand), on the same idempotent producer
 * (`acks: -1`, one request in flight), against the same broker in the same run: 700k events each
 * for the headline, in 70 paired rounds of 10k. Then the batching options: events per dispatch
 * (= records per send), concurrent dispatches, compression.
 * Run: npm run bench -- kafka   (KAFKA_BROKERS, or Kafka's jars from `bash scripts/fetch-kafka.sh`)
 */
import type { Envelope } from '@eventfan/core';
import { KafkaDispatcher } from '@eventfan/dispatcher-kafka';
import { acquireBroker, isMissing, kafkaBroker } from '@eventfan/testing';
import { CompressionTypes, Kafka, logLevel, type Message } from 'kafkajs';
import { dispatchBatch, freshBatches, inLanes } from './batches.js';
import { comparePaired, type Paired, type SideResult } from './paired.js';
import { formatRate, printTable } from './report.js';

const TOPIC = 'eventfan-bench';

interface Scenario {
  readonly events: number;
  /** Events per dispatch, all of one stream: the records of one `send`. */
  readonly perDispatch: number;
  /** Dispatches (or raw sends) awaited at once. */
  readonly lanes: number;
  readonly compression?: keyof typeof COMPRESSION;
  /** A plain producer (several requests in flight, no idempotence) instead of the idempotent one. */
  readonly plain?: boolean;
}

const COMPRESSION = { gzip: CompressionTypes.GZIP } as const;
/** Events per round (per side). */
const HEADLINE: Scenario = { events: 10_000, perDispatch: 10, lanes: 16 };
const OPTIONS: readonly Scenario[] = [
  { events: 2_000, perDispatch: 1, lanes: 1 },
  { events: 2_000, perDispatch: 1, lanes: 16 },
  { events: 4_000, perDispatch: 1, lanes: 16, plain: true },
  { events: 5_000, perDispatch: 10, lanes: 1 },
  { events: 10_000, perDispatch: 100, lanes: 16 },
  { events: 10_000, perDispatch: 100, lanes: 16, compression: 'gzip' },
];
/**
 * Each round runs both sides back to back, in alternating order. Many short rounds: the broker
 * shares the machine and its pauses (log flushes, its own GC) come and go within seconds, so only
 * a fine interleaving weighs on both sides alike. The ratio is the median of the rounds' ratios;
 * rates are each side's best round; node CPU per event (median) is what each side costs the
 * application's process.
 */
const ROUNDS = 70;
const OPTION_ROUNDS = 10;

const broker = await acquireBroker(kafkaBroker);
if (isMissing(broker)) {
  console.error(`bench/kafka: ${broker.missing}`);
  process.exit(1);
}
const kafka = new Kafka({ brokers: broker.url.split(','), logLevel: logLevel.NOTHING });
const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
const plain = kafka.producer();
try {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  await Promise.all([idempotent.connect(), plain.connect()]);

  const results: [string, string][] = [];
  // A fresh broker's JIT is cold, and so is ours: two rounds warm both before anything counts.
  const headline = await measure(HEADLINE, ROUNDS, 2);
  results.push(
    ...rows(label(HEADLINE), headline),
    ['ratio dispatcher / raw (target >= 0.9)', `${headline.ratio.toFixed(3)}x`],
    ['ratio of the summed times', `${headline.overall.toFixed(3)}x`],
    [
      "dispatcher's own node CPU (dispatcher - raw)",
      `${(headline.first.cpuMicrosPerEvent - headline.second.cpuMicrosPerEvent).toFixed(1)} µs/event`,
    ],
  );
  for (const scenario of OPTIONS) {
    results.push(...rows(label(scenario), await measure(scenario, OPTION_ROUNDS)));
  }
  printTable(
    `kafka: acks -1, idempotent producer unless said; ${ROUNDS} rounds of ${HEADLINE.events / 1000}k events per side (options: ${OPTION_ROUNDS} rounds): best rate, median ratio; ${broker.label}`,
    results,
  );
} finally {
  await Promise.all([idempotent.disconnect(), plain.disconnect()]);
  await broker.dispose();
}

/** Events per second through the dispatcher and through raw sends over `rounds` paired rounds. */
async function measure(scenario: Scenario, rounds: number, warmup = 0): Promise<Paired> {
  const producer = scenario.plain ? plain : idempotent;
  const compression =
    scenario.compression === undefined ? {} : { compression: COMPRESSION[scenario.compression] };
  const dispatcher = new KafkaDispatcher({ producer, topic: () => TOPIC, ...compression });
  let batches: Envelope[][] = [];
  return comparePaired(
    () => inLanes(batches, scenario.lanes, (batch) => dispatchBatch(dispatcher, batch)),
    () =>
      inLanes(batches, scenario.lanes, (batch) =>
        producer.send({ topic: TOPIC, acks: -1, messages: batch.map(rawMessage), ...compression }),
      ),
    {
      events: scenario.events,
      rounds,
      warmup,
      prepare: () => {
        batches = freshBatches(scenario.events, scenario.perDispatch, 'bench-');
      },
    },
  );
}

/** A scenario's row label, from its settings. */
function label(scenario: Scenario): string {
  const settings = [`${scenario.perDispatch} per dispatch`, `${scenario.lanes} at once`];
  if (scenario.plain) settings.push('not idempotent');
  if (scenario.compression) settings.push(scenario.compression);
  return settings.join(', ');
}

function rows(label: string, measured: Paired): [string, string][] {
  const { first: ours, second: raw } = measured;
  return [
    [`${label}: dispatcher`, `${formatRate(ours.perSecond, 9)}, ${cpu(ours)}`],
    [
      `${label}: raw producer.send`,
      `${formatRate(raw.perSecond, 9)}, ${cpu(raw)}  (dispatcher ${measured.ratio.toFixed(3)}x)`,
    ],
  ];
}

function cpu(side: SideResult): string {
  return `node CPU ${side.cpuMicrosPerEvent.toFixed(1)} µs/event`;
}

/** The record a user of raw kafkajs would build: the same key, ce_ headers and JSON value. */
function rawMessage(e: Envelope): Message {
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
