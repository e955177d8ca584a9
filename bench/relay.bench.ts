/**
 * The relay against the raw client on the same broker: the same fresh events, stored in an
 * in-memory store for the relay to read, published by the raw client in the batches the relay
 * makes (pages of BATCH events, each stream's run sent in order, the runs of a page at once).
 * Then the memory of a relay that starts BEHIND events behind: heap before, after, and the peak
 * while it catches up — bounded by the batch size, not by the backlog.
 * Run: npm run bench -- relay   (NATS_URL, or a nats-server from `bash scripts/install-nats.sh`)
 */
import {
  InMemoryCheckpoints,
  InMemoryEventStore,
  relay,
  type Envelope,
  type Publisher,
} from '@eventfan/core';
import { ensureStream, natsPublisher, subjectToken } from '@eventfan/dispatcher-nats';
import { acquireBroker, isMissing, natsBroker } from '@eventfan/testing';
import { connect, headers } from 'nats';
import { freshBatches } from './batches.js';
import { comparePaired } from './paired.js';
import { publishRaw } from './raw-nats.js';
import { formatRate, heapUsed, printTable } from './report.js';

const EVENTS = 20_000;
const PER_STREAM = 4;
/** The relay's page size, and the raw side's. */
const BATCH = 256;
const ROUNDS = 5;
const BEHIND = [20_000, 100_000];
const STREAM = 'EVENTFAN_RELAY_BENCH';
/** Live heap a catching-up relay may add: pages of BATCH events, far below any backlog here. */
const FLAT_BOUND_BYTES = 32 * 1024 * 1024;

const broker = await acquireBroker(natsBroker);
if (isMissing(broker)) {
  console.error(`bench/relay: ${broker.missing}`);
  process.exit(1);
}
const nc = await connect({ servers: broker.url });
try {
  await ensureStream(nc, { name: STREAM, subjects: ['relaybench.>'], update: true });
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const nats = natsPublisher({ connection: nc, headers, prefix: 'relaybench' });
  const subjectOf = (e: Envelope) =>
    `relaybench.${subjectToken(e.aggregate)}.${subjectToken(e.stream)}`;

  let batches: Envelope[][] = [];
  let store = new InMemoryEventStore();
  const measured = await comparePaired(
    () => drain(store, nats),
    async () => {
      for (let page = 0; page < batches.length; page += BATCH / PER_STREAM) {
        await Promise.all(
          batches.slice(page, page + BATCH / PER_STREAM).map(async (run) => {
            for (const e of run) await publishRaw(js, headers, subjectOf(e), e);
          }),
        );
      }
    },
    {
      events: EVENTS,
      rounds: ROUNDS,
      warmup: 1,
      prepare: async () => {
        await jsm.streams.purge(STREAM);
        batches = freshBatches(EVENTS, PER_STREAM);
        store = await storeOf(batches);
      },
    },
  );
  printTable(
    `relay -> NATS JetStream: ${EVENTS / 1000}k events, ${PER_STREAM} per stream, pages of ${BATCH}, ${ROUNDS} rounds: best rate, median ratio`,
    [
      ['relay', formatRate(measured.first.perSecond)],
      ['raw nats client', formatRate(measured.second.perSecond)],
    ],
  );
  console.log(`relay nats: ratio ${measured.ratio.toFixed(3)} (target >= 0.9)`);

  for (const behind of BEHIND) {
    await jsm.streams.purge(STREAM);
    const backlog = await storeOf(freshBatches(behind, PER_STREAM));
    const before = heapUsed();
    // Live heap: sampled after a full collection, so garbage the collector has not yet taken
    // does not pass for memory the relay holds; heapUsed as it comes shows that garbage too.
    let [peakLive, peakRaw] = [before, before];
    const live = setInterval(() => (peakLive = Math.max(peakLive, heapUsed())), 500);
    const raw = setInterval(
      () => (peakRaw = Math.max(peakRaw, process.memoryUsage().heapUsed)),
      10,
    );
    const started = performance.now();
    await drain(backlog, nats);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(live);
    clearInterval(raw);
    const after = heapUsed();
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    console.log(
      `relay memory, ${behind.toLocaleString('en')} events behind (batchSize ${BATCH}): heap before ${mb(before)} (the store's backlog included), after ${mb(after)}, peak live ${mb(peakLive)} (+${mb(peakLive - before)}), peak with uncollected garbage ${mb(peakRaw)}; ${formatRate(behind / seconds)}`,
    );
    if (peakLive - before > FLAT_BOUND_BYTES) {
      console.error(
        `relay memory is not flat: +${mb(peakLive - before)} live with ${behind} behind`,
      );
      process.exitCode = 1;
    }
  }
  await nats.close();
} finally {
  await nc.close();
  await broker.dispose();
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
