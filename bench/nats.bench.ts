/**
 * NATS JetStream, three workloads against the same server in the same run:
 * - single dispatch: events through `natsPublisher` (prepare + publish, one stream per batch) beside
 *   the same publishes made with the raw `nats` client (CloudEvents headers set by hand,
 *   Nats-Msg-Id), both with 64 batches outstanding, in paired rounds;
 * - concurrent: 64 streams handled concurrently through `commandHandler` + `InMemoryEventStore` +
 *   `natsPublisher`, one event per command: events/s, and each command's latency at 1 and 64
 *   commands in flight;
 * - subscribe: `subscribe` + `natsSource` beside a raw nats.js consumer (consume, decode, ack)
 *   reading the same messages from a fresh durable consumer each, in paired rounds.
 * Run: npm run bench -- nats   (NATS_URL, or a nats-server from `bash scripts/install-nats.sh`)
 */
import { subscribe, type Envelope } from '@eventfan/core';
import { ensureStream, natsPublisher, natsSource, subjectToken } from '@eventfan/dispatcher-nats';
import { natsBroker } from '@eventfan/testing';
import { AckPolicy, connect, headers, type JetStreamManager, type NatsConnection } from 'nats';
import { freshBatches, inLanes } from './batches.js';
import { BenchEvent, bestOf, handleCommands, percentile } from './ticker.js';
import { needBroker } from './need-broker.js';
import { publishRaw } from './raw-nats.js';
import { comparePaired, type SideResult } from './paired.js';
import { formatRate, printTable } from './report.js';

const STREAM = 'EVENTFAN_BENCH';
const SINGLE = { events: 20_000, perDispatch: 4, lanes: 64, rounds: 5 };
const CONCURRENT = { commands: 12_800, streams: 64, latencyCommands: 2_000, rounds: 3 };
const SUBSCRIBE = { events: Number(process.env['SUB_EVENTS'] ?? 20_000), rounds: 5 };

const cpu = (side: SideResult) => `node CPU ${side.cpuMicrosPerEvent.toFixed(1)} µs/event`;

/** Batches through the publisher vs the raw client, publish by publish, awaiting each PubAck. */
async function singleDispatch(nc: NatsConnection, jsm: JetStreamManager): Promise<void> {
  const js = nc.jetstream();
  const publisher = natsPublisher({ connection: nc, headers, prefix: 'bench' });
  const subjectOf = (e: Envelope) => `bench.${subjectToken(e.aggregate)}.${subjectToken(e.stream)}`;
  let batches: Envelope[][] = [];
  const ours = () =>
    inLanes(batches, SINGLE.lanes, (batch) => publisher.publish(publisher.prepare(batch)));
  const raw = () =>
    inLanes(batches, SINGLE.lanes, async (batch) => {
      for (const e of batch) await publishRaw(js, headers, subjectOf(e), e);
    });
  const measured = await comparePaired(ours, raw, {
    events: SINGLE.events,
    rounds: SINGLE.rounds,
    warmup: 1,
    prepare: async () => {
      await jsm.streams.purge(STREAM);
      batches = freshBatches(SINGLE.events, SINGLE.perDispatch);
    },
  });
  await publisher.close();
  printTable(
    `single dispatch: ${SINGLE.events / 1000}k events, ${SINGLE.perDispatch} per batch, ${SINGLE.lanes} batches outstanding, ${SINGLE.rounds} rounds: best rate, median ratio`,
    [
      ['natsPublisher', `${formatRate(measured.first.perSecond)}, ${cpu(measured.first)}`],
      ['raw nats client', `${formatRate(measured.second.perSecond)}, ${cpu(measured.second)}`],
      ['ratio publisher / raw (target >= 0.9)', `${measured.ratio.toFixed(3)}x`],
    ],
  );
}

async function concurrent(nc: NatsConnection, jsm: JetStreamManager): Promise<void> {
  const publisher = natsPublisher({ connection: nc, headers, prefix: 'bench' });
  await handleCommands([publisher], CONCURRENT.commands, CONCURRENT.streams); // warm-up
  const wide = await bestOf(
    CONCURRENT.rounds,
    () => handleCommands([publisher], CONCURRENT.commands, CONCURRENT.streams),
    () => jsm.streams.purge(STREAM),
  );
  const one = await handleCommands([publisher], CONCURRENT.latencyCommands, 1);
  await publisher.close();
  // The same commands without a publisher: the most the store and handler allow here.
  const alone = await handleCommands([], CONCURRENT.commands, CONCURRENT.streams);
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const latency = (r: { latencies: number[] }) =>
    `p50 ${ms(percentile(r.latencies, 50))}, p99 ${ms(percentile(r.latencies, 99))}`;
  console.log(`concurrent nats: ${Math.round(wide.perSecond)}`);
  printTable(
    `concurrent: commandHandler + InMemoryEventStore + natsPublisher, one event per command, ${CONCURRENT.commands / CONCURRENT.streams} per stream (best of ${CONCURRENT.rounds} rounds)`,
    [
      [`${CONCURRENT.streams} streams at once`, formatRate(wide.perSecond)],
      [`latency, ${CONCURRENT.streams} commands in flight`, latency(wide)],
      [`1 stream`, formatRate(one.perSecond)],
      [`latency, 1 command in flight`, latency(one)],
      [`${CONCURRENT.streams} streams, no publisher (ceiling)`, formatRate(alone.perSecond)],
    ],
  );
}

async function subscribeBench(nc: NatsConnection, jsm: JetStreamManager): Promise<void> {
  await jsm.streams.purge(STREAM);
  const publisher = natsPublisher({ connection: nc, headers, prefix: 'bench' });
  const batches = freshBatches(SUBSCRIBE.events, 10);
  await inLanes(batches, 64, (batch) => publisher.publish(publisher.prepare(batch)));
  await publisher.close();
  const js = nc.jetstream();
  let durable = '';
  let round = 0;
  const prepare = async () => {
    durable = `bench-${round++}`;
    await jsm.consumers.add(STREAM, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: 30_000_000_000,
    });
  };
  const ours = async () => {
    let seen = 0;
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const subscription = subscribe({
      source: natsSource({ connection: nc, headers, stream: STREAM, durable }),
      events: BenchEvent,
      handler: () => {
        if (++seen === SUBSCRIBE.events) resolveDone();
      },
    });
    await done;
    await subscription.stop();
    await jsm.consumers.delete(STREAM, durable);
  };
  const decoder = new TextDecoder();
  const raw = async () => {
    const consumer = await js.consumers.get(STREAM, durable);
    let seen = 0;
    while (seen < SUBSCRIBE.events) {
      // A full batch ends a fetch at once; the last one asks only for what is left.
      const want = Math.min(256, SUBSCRIBE.events - seen);
      const messages = await consumer.fetch({ max_messages: want, expires: 5_000 });
      for await (const m of messages) {
        // What a hand-written consumer of these CloudEvents needs: the data and, from the
        // headers, which event it is, of which stream, at which generation.
        const h = m.headers;
        if (!h?.get('ce-id') || !h.get('ce-type') || !h.get('ce-subject')) throw new Error('?');
        Number(h.get('ce-sequence'));
        JSON.parse(decoder.decode(m.data));
        m.ack();
        seen++;
      }
    }
    await jsm.consumers.delete(STREAM, durable);
  };
  const measured = await comparePaired(ours, raw, {
    events: SUBSCRIBE.events,
    rounds: SUBSCRIBE.rounds,
    warmup: 1,
    prepare,
  });
  console.log(`subscribe nats: ratio ${measured.ratio.toFixed(3)}`);
  printTable(
    `subscribe: ${SUBSCRIBE.events / 1000}k events from a fresh durable consumer, ${SUBSCRIBE.rounds} rounds: best rate, median ratio`,
    [
      ['subscribe + natsSource', `${formatRate(measured.first.perSecond)}, ${cpu(measured.first)}`],
      ['raw nats.js consumer', `${formatRate(measured.second.perSecond)}, ${cpu(measured.second)}`],
      ['ratio ours / raw (target >= 0.9)', `${measured.ratio.toFixed(3)}x`],
    ],
  );
}

const broker = await needBroker('nats', natsBroker);
console.log(broker.label);
const nc = await connect({ servers: broker.url });
try {
  await ensureStream(nc, { name: STREAM, subjects: ['bench.>'], update: true });
  const jsm = await nc.jetstreamManager();
  const only = process.env['NATS_BENCH'];
  if (!only || only === 'single') await singleDispatch(nc, jsm);
  if (!only || only === 'concurrent') await concurrent(nc, jsm);
  if (!only || only === 'subscribe') await subscribeBench(nc, jsm);
  await jsm.streams.delete(STREAM);
} finally {
  await nc.close();
  await broker.dispose();
}
