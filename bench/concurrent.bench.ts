/**
 * The concurrent workload — 64 streams handled at once through `commandHandler` +
 * `InMemoryEventStore`, one event per command — published inline to NATS JetStream alone, to Kafka
 * alone, and to both (the fan-out), against the same brokers in the same run. Each round runs every
 * setup once, in an order that rotates, so load drifting on a shared machine weighs on all alike.
 * The store is in memory in every setup: these are "store + NATS", "store + Kafka" and
 * "store + NATS + Kafka", not EventStoreDB (whose test server is an emulator, and would share the
 * two cores too).
 * Prints `concurrent <setup>: <n> events/s` (best round) and `fan-out: ratio <x>x`: the median
 * over rounds of (slowest single target's rate / both targets' rate), i.e. how much longer the
 * fan-out takes than the slowest target alone; target ≤ 1.15. Beside it, what explains the ratio:
 * CPU per event of node and of the brokers (/proc), the machine's busy share, Kafka produce
 * requests per run, the same setups with the Kafka publisher's `lingerMs: 1` (`fan-out kafka
 * lingerMs 1: ratio`), and each ratio's CPU floor: the slowest target's rate times the CPU (node's
 * and the brokers') the fan-out spent per event, over all cores — the least the ratio can be here,
 * were that CPU spread perfectly. Then, where kcat is installed, `concurrent kafka: ratio to
 * librdkafka` (our best Kafka rate over kcat's on the same broker), and librdkafka from node where
 * node-rdkafka is (librdkafka.ts).
 * Run: npm run bench -- concurrent   (NATS_URL / KAFKA_BROKERS, or the local brokers of
 * @eventfan/testing)
 */
import { cpus } from 'node:os';
import { commandHandler, InMemoryEventStore, type Publisher } from '@eventfan/core';
import { ensureStream, natsPublisher } from '@eventfan/dispatcher-nats';
import { kafkaPublisher } from '@eventfan/dispatcher-kafka';
import { kafkaBroker, natsBroker, type Broker, type BrokerProvider } from '@eventfan/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { connect, headers } from 'nats';
import { brokerCpuMs } from './broker-cpu.js';
import { KCAT_TOPIC, librdkafkaRows, RDKAFKA_TOPIC } from './librdkafka.js';
import { median } from './paired.js';
import { needBroker } from './need-broker.js';
import { formatRate, printTable } from './report.js';
import { Ticker } from './ticker.js';

const STREAMS = 64;
const COMMANDS_PER_STREAM = 20;
/** Many short rounds: load on a shared machine comes and goes within seconds. */
const ROUNDS = 11;
/** Enough records for kcat's rate not to be its start-up's. */
const LIBRDKAFKA_RECORDS = 25_600;
const NATS_STREAM = 'EVENTFAN_FANOUT_BENCH';
const TOPIC = 'eventfan-fanout-bench';

interface Setup {
  readonly name: string;
  readonly publishers: readonly Publisher[];
}

interface Run {
  readonly perSecond: number;
  readonly cpuMicrosPerEvent: number;
  /** nats-server's and Kafka's CPU per event: theirs shares the same cores. */
  readonly brokerMicrosPerEvent: number;
  /** Share of all cores' time not idle during the run, brokers and other load included. */
  readonly machineBusy: number;
  readonly kafkaRequests: number;
}

const acquired: Broker[] = [];
const nats = await need(natsBroker);
const kafkaAt = await need(kafkaBroker);
const nc = await connect({ servers: nats.url });
const kafka = new Kafka({ brokers: kafkaAt.url.split(','), logLevel: logLevel.NOTHING });
const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
let produceRequests = 0;
producer.on(producer.events.REQUEST, ({ payload: request }) => {
  if (request.apiName === 'Produce') produceRequests++;
});
try {
  const jsm = await nc.jetstreamManager();
  await ensureStream(nc, { name: NATS_STREAM, subjects: ['fanout.>'], update: true });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [TOPIC, KCAT_TOPIC, RDKAFKA_TOPIC].map((topic) => ({ topic, numPartitions: 3 })),
    waitForLeaders: true,
  });
  await admin.disconnect();
  await producer.connect();

  const toNats = natsPublisher({ connection: nc, headers, prefix: 'fanout' });
  const toKafka = kafkaPublisher({ producer, topic: () => TOPIC });
  // The same publisher gathering for 1 ms when idle: shows what the default costs the fan-out.
  const lingering = kafkaPublisher({ producer, topic: () => TOPIC, lingerMs: 1 });
  const setups: Setup[] = [
    { name: 'store', publishers: [] },
    { name: 'nats', publishers: [toNats] },
    { name: 'kafka', publishers: [toKafka] },
    { name: 'nats+kafka', publishers: [toNats, toKafka] },
    { name: 'kafka lingerMs 1', publishers: [lingering] },
    { name: 'nats+kafka lingerMs 1', publishers: [toNats, lingering] },
  ];
  const runs = new Map<string, Run[]>(setups.map((s) => [s.name, []]));
  const fanOuts = [
    {
      label: 'fan-out',
      singles: ['nats', 'kafka'],
      all: 'nats+kafka',
      ratios: [] as number[],
      floors: [] as number[],
    },
    {
      label: 'fan-out kafka lingerMs 1',
      singles: ['nats', 'kafka lingerMs 1'],
      all: 'nats+kafka lingerMs 1',
      ratios: [] as number[],
      floors: [] as number[],
    },
  ];
  for (let round = -1; round < ROUNDS; round++) {
    await jsm.streams.purge(NATS_STREAM); // untimed: JetStream's work grows with what it holds
    const rate: Record<string, number> = {};
    const used: Record<string, Run> = {};
    const shift = (round + setups.length) % setups.length;
    for (const setup of [...setups.slice(shift), ...setups.slice(0, shift)]) {
      const run = await handleAll(setup);
      rate[setup.name] = run.perSecond;
      used[setup.name] = run;
      if (round >= 0) runs.get(setup.name)?.push(run);
    }
    if (round < 0) continue;
    for (const f of fanOuts) {
      const slowest = Math.min(...f.singles.map((name) => rate[name] as number));
      f.ratios.push(slowest / (rate[f.all] as number));
      // Spread perfectly over every core, the fan-out's CPU (ours and the brokers') per event
      // still takes this long: the least the ratio can be on this machine at these costs.
      const all = used[f.all] as Run;
      const cpuPerEvent = all.cpuMicrosPerEvent + all.brokerMicrosPerEvent;
      f.floors.push((slowest * cpuPerEvent) / (cpus().length * 1_000_000));
    }
  }
  await Promise.all([toNats.close(), toKafka.close(), lingering.close()]);
  await jsm.streams.delete(NATS_STREAM);

  const commands = STREAMS * COMMANDS_PER_STREAM;
  printTable(
    `fan-out: ${STREAMS} streams at once, ${COMMANDS_PER_STREAM} commands each (one event per command), commandHandler + InMemoryEventStore, ${ROUNDS} rounds after a warm-up; ${nats.label}; ${kafkaAt.label}: best rate, medians of the rest`,
    setups.map(({ name }) => {
      const of = runs.get(name) ?? [];
      const requests = median(of.map((r) => r.kafkaRequests));
      return [
        name === 'store' ? 'store only' : `store + ${name}`,
        `${formatRate(Math.max(...of.map((r) => r.perSecond)), 7)}, CPU µs/event node ${median(of.map((r) => r.cpuMicrosPerEvent)).toFixed(0)} + brokers ${median(of.map((r) => r.brokerMicrosPerEvent)).toFixed(0)}, machine ${Math.round(median(of.map((r) => r.machineBusy)) * 100)}% busy${requests > 0 ? `, ${requests} Kafka produce requests (${(commands / requests).toFixed(1)} events each)` : ''}`,
      ];
    }),
  );
  console.log('');
  for (const { name } of setups) {
    const best = Math.max(...(runs.get(name) ?? []).map((r) => r.perSecond));
    console.log(`concurrent ${name}: ${Math.round(best)} events/s`);
  }
  for (const f of fanOuts) {
    console.log(`${f.label}: ratio ${median(f.ratios).toFixed(2)}x (target <= 1.15)`);
    console.log(`CPU floor of the ${f.label}: ${median(f.floors).toFixed(2)}x`);
  }
  const kafkaRows = await librdkafkaRows({
    kafka,
    brokers: kafkaAt.url.split(','),
    oursPerSecond: Math.max(...(runs.get('kafka') ?? []).map((r) => r.perSecond)),
    records: LIBRDKAFKA_RECORDS,
    lanes: STREAMS,
    runs: 3,
  });
  printTable('librdkafka on the same broker, beside store + kafka', kafkaRows);
} finally {
  await producer.disconnect().catch(() => {});
  await nc.close();
  for (const broker of acquired) await broker.dispose();
}

/** Every stream's commands one after the other, the streams at once; a fresh store each run. */
async function handleAll(setup: Setup): Promise<Run> {
  const ticker = commandHandler({
    aggregate: Ticker,
    store: new InMemoryEventStore(),
    publishers: setup.publishers,
  });
  const run = Math.random().toString(36).slice(2, 8);
  const requestsBefore = produceRequests;
  const idleBefore = idle();
  const cpuBefore = process.cpuUsage();
  const brokersBefore = brokerCpuMs();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: STREAMS }, async (_, lane) => {
      for (let n = 0; n < COMMANDS_PER_STREAM; n++) {
        await ticker.handle(`${run}-${lane}`, { type: 'Tick', n });
      }
    }),
  );
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const brokers = brokerCpuMs() - brokersBefore;
  const events = STREAMS * COMMANDS_PER_STREAM;
  return {
    perSecond: events / (ms / 1000),
    cpuMicrosPerEvent: (cpu.user + cpu.system) / events,
    brokerMicrosPerEvent: (brokers * 1000) / events,
    machineBusy: Math.max(0, 1 - (idle() - idleBefore) / (ms * cpus().length)),
    kafkaRequests: produceRequests - requestsBefore,
  };
}

/** Milliseconds all cores have been idle since boot. */
function idle(): number {
  return cpus().reduce((sum, core) => sum + core.times.idle, 0);
}

async function need(provider: BrokerProvider): Promise<Broker> {
  const broker = await needBroker('concurrent', provider);
  acquired.push(broker);
  return broker;
}
