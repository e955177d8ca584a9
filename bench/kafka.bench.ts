/**
 * Kafka, against one broker in one run (bounded: about two minutes on a loaded 2-core machine):
 * - single dispatch: batches through `kafkaPublisher` (prepare + publish) beside the same records
 *   sent with the raw kafkajs `producer.send` (CloudEvents binary headers built by hand), on the
 *   same idempotent producer (`acks: -1`, one request in flight), in paired rounds; and lone
 *   publishes of batches prepared beforehand beside raw sends of records built beforehand, which
 *   leaves the pre-flight's cost out;
 * - concurrent: 64 streams handled concurrently through `commandHandler` + `InMemoryEventStore` +
 *   `kafkaPublisher`, one event per command: events/s, and each command's latency at 1 and 64 in
 *   flight (librdkafka beside it: the `concurrent` bench).
 * Run: npm run bench -- kafka   (KAFKA_BROKERS, or Kafka's jars from `bash scripts/fetch-kafka.sh`)
 * One part only: KAFKA_BENCH=single|concurrent.
 */
import type { Envelope } from '@eventfan/core';
import { kafkaPublisher, type KafkaPrepared } from '@eventfan/dispatcher-kafka';
import { kafkaBroker } from '@eventfan/testing';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { freshBatches, inLanes } from './batches.js';
import { bestOf, handleCommands, percentile } from './ticker.js';
import { needBroker } from './need-broker.js';
import { rawKafkaMessage } from './raw-kafka.js';
import { comparePaired, type Paired, type SideResult } from './paired.js';
import { formatRate, printTable } from './report.js';

const SINGLE_TOPIC = 'eventfan-bench';
const CONCURRENT_TOPIC = 'eventfan-bench-commands';

interface Scenario {
  readonly events: number;
  /** Events per publish, all of one stream: the records of one raw `send`. */
  readonly perDispatch: number;
  /** Publishes (or raw sends) awaited at once. */
  readonly lanes: number;
  /**
   * Paired rounds, after warm-up rounds of 1,000 events or more (a fresh broker's JIT is cold, and
   * ours). The headline takes many short ones: on 2 cores shared with the broker a burst of other
   * work swings one round by 20%, and the median of many rounds stays where most of them are.
   * 24 rounds of 1,000 gave medians of 0.87–1.01 in ten processes on one morning; 120 of 250, in
   * the same time, 0.905–0.926 in seven (and 10 per publish, 6 rounds of 5,000: 0.83–1.06).
   */
  readonly rounds: number;
  /**
   * What a round times: the whole publish from envelopes (`prepare` + `publish` beside raw records
   * built and sent), or only the sending of batches prepared (and raw records built) before it.
   * The second tells the pre-flight's share of the gap from the publish path's.
   */
  readonly timed: 'prepare and publish' | 'publish';
}
const SINGLE: readonly Scenario[] = [
  { events: 250, perDispatch: 1, lanes: 1, rounds: 120, timed: 'prepare and publish' },
  { events: 250, perDispatch: 1, lanes: 1, rounds: 40, timed: 'publish' },
  { events: 1_000, perDispatch: 10, lanes: 1, rounds: 48, timed: 'prepare and publish' },
  { events: 10_000, perDispatch: 10, lanes: 16, rounds: 6, timed: 'prepare and publish' },
];
/** Events each side sends before the counted rounds. */
const WARMUP_EVENTS = 1_000;
const CONCURRENT = { commands: 25_600, streams: 64, latencyCommands: 2_000, rounds: 3 };

const cpu = (side: SideResult) => `node CPU ${side.cpuMicrosPerEvent.toFixed(1)} µs/event`;
const ms = (v: number) => `${v.toFixed(2)} ms`;

/** Batches through the publisher vs raw sends of the same records, on one idempotent producer. */
async function singleDispatch(kafka: Kafka): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const rows: [string, string][] = [];
  try {
    for (const scenario of SINGLE) {
      const publisher = kafkaPublisher({ producer, topic: () => SINGLE_TOPIC });
      const whole = scenario.timed === 'prepare and publish';
      let batches: Envelope[][] = [];
      let prepared: KafkaPrepared[] = [];
      let records: Message[][] = [];
      const publish = (p: KafkaPrepared) => publisher.publish(p);
      const send = (messages: Message[]) =>
        producer.send({ topic: SINGLE_TOPIC, acks: -1, messages });
      const measured: Paired = await comparePaired(
        whole
          ? () => inLanes(batches, scenario.lanes, (b) => publish(publisher.prepare(b)))
          : () => inLanes(prepared, scenario.lanes, publish),
        whole
          ? () => inLanes(batches, scenario.lanes, (b) => send(b.map(rawKafkaMessage)))
          : () => inLanes(records, scenario.lanes, send),
        {
          events: scenario.events,
          rounds: scenario.rounds,
          warmup: Math.ceil(WARMUP_EVENTS / scenario.events),
          prepare: () => {
            batches = freshBatches(scenario.events, scenario.perDispatch, 'bench-');
            if (whole) return;
            prepared = batches.map((b) => publisher.prepare(b));
            records = batches.map((b) => b.map(rawKafkaMessage));
          },
        },
      );
      await publisher.close();
      const label = `${scenario.perDispatch} per publish, ${scenario.lanes} at once${whole ? '' : ', prepared before'}`;
      rows.push(
        [
          `${label}: kafkaPublisher`,
          `${formatRate(measured.first.perSecond, 9)}, ${cpu(measured.first)}`,
        ],
        [
          `${label}: raw producer.send`,
          `${formatRate(measured.second.perSecond, 9)}, ${cpu(measured.second)}`,
        ],
        [`${label}: ratio publisher / raw`, `${measured.ratio.toFixed(3)}x`],
      );
      if (whole && scenario.lanes === 1 && scenario.perDispatch === 1) {
        console.log(`single kafka: ratio ${measured.ratio.toFixed(3)}`);
      }
    }
  } finally {
    await producer.disconnect();
  }
  printTable(
    `single dispatch: acks -1, one idempotent producer for both sides, ${SINGLE.map((s) => s.rounds).join('/')} paired rounds: best rate, median ratio (target >= 0.9 at 1 at once)`,
    rows,
  );
}

async function concurrent(brokers: string[]): Promise<void> {
  const publisher = kafkaPublisher({
    kafka: { brokers, logLevel: logLevel.NOTHING },
    topic: () => CONCURRENT_TOPIC,
  });
  await handleCommands([publisher], CONCURRENT.streams * 40, CONCURRENT.streams); // warm-up
  const wide = await bestOf(CONCURRENT.rounds, () =>
    handleCommands([publisher], CONCURRENT.commands, CONCURRENT.streams),
  );
  const one = await handleCommands([publisher], CONCURRENT.latencyCommands, 1);
  await publisher.close();
  const latency = (r: { latencies: number[] }) =>
    `p50 ${ms(percentile(r.latencies, 50))}, p99 ${ms(percentile(r.latencies, 99))}`;
  console.log(`concurrent kafka: ${Math.round(wide.perSecond)}`);
  const rows: [string, string][] = [
    [`${CONCURRENT.streams} streams at once`, formatRate(wide.perSecond)],
    [`latency, ${CONCURRENT.streams} commands in flight`, latency(wide)],
    [`1 stream`, formatRate(one.perSecond)],
    [`latency, 1 command in flight`, latency(one)],
  ];
  printTable(
    `concurrent: commandHandler + InMemoryEventStore + kafkaPublisher, one event per command, ${CONCURRENT.commands} commands (best of ${CONCURRENT.rounds} rounds)`,
    rows,
  );
}

const broker = await needBroker('kafka', kafkaBroker);
console.log(broker.label);
const brokers = broker.url.split(',');
const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
try {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [SINGLE_TOPIC, CONCURRENT_TOPIC].map((topic) => ({
      topic,
      numPartitions: 3,
    })),
    waitForLeaders: true,
  });
  await admin.disconnect();
  const only = process.env['KAFKA_BENCH'];
  if (!only || only === 'single') await singleDispatch(kafka);
  if (!only || only === 'concurrent') await concurrent(brokers);
} finally {
  await broker.dispose();
}
