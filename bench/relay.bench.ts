/**
 * The relay against the raw client on the same broker, per broker: the same fresh events, stored
 * in an in-memory store for the relay to read, published by the raw client in the relay's
 * batches (pages of BATCH events: NATS each stream's run in order, the runs of a page at once;
 * Kafka one request per page). Then the memory of a relay that starts BEHIND events behind:
 * heap before, after, and the peak while it catches up — bounded by the batch size, not by the
 * backlog. Run: npm run bench -- relay   (brokers as the fixtures find them: env, containers,
 * local processes from `bash scripts/install-brokers.sh`)
 */
import {
  InMemoryCheckpoints,
  InMemoryEventStore,
  relay,
  type Envelope,
  type Publisher,
} from '@eventfan/core';
import {
  acquireBroker,
  isMissing,
  kafkaBroker,
  natsBroker,
  type Broker,
  type BrokerProvider,
} from '@eventfan/testing';
import { freshBatches } from './batches.js';
import { comparePaired } from './paired.js';
import { kafkaRelaySide } from './raw-kafka.js';
import { natsRelaySide } from './raw-nats.js';
import type { RelaySide } from './relay-sides.js';
import { formatRate, heapUsed, printTable } from './report.js';

const EVENTS = 10_000;
const PER_STREAM = 4;
/** The relay's page size, and the raw side's. */
const BATCH = 256;
const ROUNDS = 7;
const BEHIND = [100_000];
/** Live heap a catching-up relay may add: pages of BATCH events, far below any backlog here. */
const FLAT_BOUND_BYTES = 32 * 1024 * 1024;

const SIDES: readonly [BrokerProvider, (url: string) => Promise<RelaySide>][] = [
  [natsBroker, natsRelaySide],
  [kafkaBroker, kafkaRelaySide],
];

// The ratios first, then the memory run (on the first broker), the longest part.
const opened: { side: RelaySide; broker: Broker }[] = [];
try {
  for (const [provider, open] of SIDES) {
    const broker = await acquireBroker(provider);
    if (isMissing(broker)) {
      console.error(`bench/relay: ${broker.missing}`);
      process.exitCode = 1;
      continue;
    }
    const side = await open(broker.url);
    opened.push({ side, broker });
    await compare(side);
  }
  if (opened[0]) await memory(opened[0].side);
} finally {
  for (const { side, broker } of opened) {
    await side.close();
    await broker.dispose();
  }
}

async function compare(side: RelaySide): Promise<void> {
  let batches: Envelope[][] = [];
  let store = new InMemoryEventStore();
  const measured = await comparePaired(
    () => drain(store, side.publisher),
    async () => {
      for (let page = 0; page < batches.length; page += BATCH / PER_STREAM) {
        await side.rawPage(batches.slice(page, page + BATCH / PER_STREAM));
      }
    },
    {
      events: EVENTS,
      rounds: ROUNDS,
      warmup: 1,
      prepare: async () => {
        await side.reset();
        batches = freshBatches(EVENTS, PER_STREAM);
        store = await storeOf(batches);
      },
    },
  );
  printTable(
    `relay -> ${side.broker}: ${EVENTS / 1000}k events, ${PER_STREAM} per stream, pages of ${BATCH}, ${ROUNDS} rounds: best rate, median ratio`,
    [
      ['relay', formatRate(measured.first.perSecond)],
      [`raw ${side.broker} client`, formatRate(measured.second.perSecond)],
    ],
  );
  console.log(`relay ${side.broker}: ratio ${measured.ratio.toFixed(3)} (target >= 0.9)`);
}

async function memory(side: RelaySide): Promise<void> {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  for (const behind of BEHIND) {
    await side.reset();
    const backlog = await storeOf(freshBatches(behind, PER_STREAM));
    const before = heapUsed();
    // Live heap: sampled after a full collection, so garbage the collector has not yet taken
    // does not pass for memory the relay holds; heapUsed as it comes shows that garbage too.
    let [peakLive, peakRaw] = [before, before];
    const live = setInterval(() => (peakLive = Math.max(peakLive, heapUsed())), 2_000);
    const raw = setInterval(
      () => (peakRaw = Math.max(peakRaw, process.memoryUsage().heapUsed)),
      10,
    );
    const started = performance.now();
    await drain(backlog, side.publisher);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(live);
    clearInterval(raw);
    const after = heapUsed();
    console.log(
      `relay memory (${side.broker}), ${behind.toLocaleString('en')} events behind (batchSize ${BATCH}): heap before ${mb(before)} (the store's backlog included), after ${mb(after)}, peak live ${mb(peakLive)} (+${mb(peakLive - before)}), peak with uncollected garbage ${mb(peakRaw)}; ${formatRate(behind / seconds)}`,
    );
    if (peakLive - before > FLAT_BOUND_BYTES) {
      console.error(`relay memory is not flat: +${mb(peakLive - before)} live, ${behind} behind`);
      process.exitCode = 1;
    }
  }
}

/** A fresh in-memory store holding the batches, each a new stream; untimed. */
async function storeOf(batches: readonly Envelope[][]): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  for (const batch of batches) await store.append((batch[0] as Envelope).stream, batch, 0);
  return store;
}

/** A relay from the start of the store's log until it caught up. */
async function drain(store: InMemoryEventStore, publisher: Publisher): Promise<void> {
  const outbox = relay({
    store,
    publishers: [publisher],
    checkpoints: new InMemoryCheckpoints(),
    batchSize: BATCH,
    idleMs: 1,
  });
  outbox.start();
  await outbox.caughtUp({ timeoutMs: 300_000 });
  await outbox.stop();
}
