/**
 * NATS JetStream: 100k events through the eventfan dispatcher beside the same publishes made with
 * the raw `nats` client (same subjects, CloudEvents headers set by hand, Nats-Msg-Id), against the
 * same server in the same run. Both await every PubAck with the same bounded in-flight window.
 * Run: npm run bench -- nats   (NATS_URL, or a nats-server from `bash scripts/install-nats.sh`)
 */
import type { Envelope } from '@eventfan/core';
import { ensureStream, natsDispatcher, subjectToken } from '@eventfan/dispatcher-nats';
import { acquireBroker, isMissing, natsBroker } from '@eventfan/testing';
import { connect, headers } from 'nats';
import { dispatchBatch, freshBatches, inLanes } from './batches.js';
import { comparePaired, type SideResult } from './paired.js';
import { formatRate, printTable } from './report.js';

const EVENTS = 100_000;
const PER_DISPATCH = 4; // events per dispatch, all of one stream
const WINDOW = 64; // PubAcks awaited at once, for both
const STREAM = 'EVENTFAN_BENCH';
/** Paired rounds, sides in alternating order, after one uncounted warm-up round. */
const ROUNDS = 5;

const broker = await acquireBroker(natsBroker);
if (isMissing(broker)) {
  console.error(`bench/nats: ${broker.missing}`);
  process.exit(1);
}
const nc = await connect({ servers: broker.url });
try {
  await ensureStream(nc, { name: STREAM, subjects: ['bench.>'], update: true });
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const dispatcher = natsDispatcher({ connection: nc, headers, prefix: 'bench' });
  const subjectOf = (e: Envelope) => `bench.${subjectToken(e.aggregate)}.${subjectToken(e.stream)}`;

  let batches: Envelope[][] = [];
  const viaDispatcher = () => inLanes(batches, WINDOW, (batch) => dispatchBatch(dispatcher, batch));

  const encoder = new TextEncoder();
  const viaRawClient = () =>
    inLanes(batches, WINDOW, async (batch) => {
      for (const e of batch) {
        const h = headers();
        h.set('ce-specversion', '1.0');
        h.set('ce-id', e.id);
        h.set('ce-source', e.source);
        h.set('ce-type', e.type);
        h.set('ce-subject', e.stream);
        h.set('ce-time', e.time);
        h.set('ce-datacontenttype', 'application/json');
        h.set('content-type', 'application/json');
        h.set('ce-sequence', String(e.generation).padStart(20, '0'));
        h.set('ce-partitionkey', e.stream);
        h.set('ce-eventversion', e.version);
        h.set('ce-aggregate', e.aggregate);
        h.set('ce-correlationid', e.metadata.correlationId ?? '');
        await js.publish(subjectOf(e), encoder.encode(JSON.stringify(e.data)), {
          msgID: e.id,
          headers: h,
        });
      }
    });

  const measured = await comparePaired(viaDispatcher, viaRawClient, {
    events: EVENTS,
    rounds: ROUNDS,
    warmup: 1,
    prepare: async () => {
      await jsm.streams.purge(STREAM);
      batches = freshBatches(EVENTS, PER_DISPATCH);
    },
  });
  const { first: ours, second: raw } = measured;
  const cpu = (side: SideResult) => `node CPU ${side.cpuMicrosPerEvent.toFixed(1)} µs/event`;
  printTable(
    `nats: ${EVENTS / 1000}k events, JetStream file storage, ${WINDOW} PubAcks in flight, ${ROUNDS} rounds: best rate, median ratio; ${broker.label}`,
    [
      ['natsDispatcher', `${formatRate(ours.perSecond)}, ${cpu(ours)}`],
      ['raw nats client', `${formatRate(raw.perSecond)}, ${cpu(raw)}`],
      ['ratio dispatcher / raw', `${measured.ratio.toFixed(3)}x`],
    ],
  );
  await jsm.streams.delete(STREAM);
} finally {
  await nc.close();
  await broker.dispose();
}
