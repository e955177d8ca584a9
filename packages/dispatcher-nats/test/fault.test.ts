import { DispatchIncomplete, type Envelope } from '@eventfan/core';
import {
  acquireBroker,
  brokersRequired,
  findNatsServer,
  isMissing,
  natsBroker,
  sampleEnvelopes,
  uniqueStream,
  type Broker,
} from '@eventfan/testing';
import { connect, headers, type NatsConnection } from 'nats';
import { describe, expect, it } from 'vitest';
import { ensureStream, natsPublisher, type NatsPublisher } from '../src/index.js';
import { send as publish } from './support.js';

const STREAMS = 120;
const EVENTS_PER_STREAM = 3;
const LANES = 4;

const canRun = findNatsServer() !== undefined || brokersRequired();
if (!canRun) {
  console.warn(
    '\n[eventfan] SKIPPING the NATS fault test — it stops and restarts a nats-server of its own and none is installed (bash scripts/install-nats.sh)\n',
  );
}

/** What the publisher said about each event: acknowledged, or reported as not delivered. */
interface Ledger {
  readonly acked: Set<string>;
  readonly failed: Set<string>;
  readonly failedBatches: Envelope[][];
}

async function send(
  publisher: NatsPublisher,
  batch: Envelope[],
  ledger: Ledger,
  attempt: number,
): Promise<void> {
  try {
    const receipt = await publish(publisher, batch, { attempt });
    for (const event of receipt.events) ledger.acked.add(event.id);
  } catch (error) {
    const delivered =
      error instanceof DispatchIncomplete
        ? new Set(error.delivered.map((d) => d.id))
        : new Set<string>();
    for (const envelope of batch)
      (delivered.has(envelope.id) ? ledger.acked : ledger.failed).add(envelope.id);
    ledger.failedBatches.push(batch);
  }
}

/** How many times JetStream holds each event id, read by an ordered consumer. */
async function storedCounts(nc: NatsConnection, stream: string): Promise<Map<string, number>> {
  const jsm = await nc.jetstreamManager();
  const total = (await jsm.streams.info(stream)).state.messages;
  const counts = new Map<string, number>();
  const consumer = await nc.jetstream().consumers.get(stream);
  let read = 0;
  for await (const m of await consumer.fetch({ max_messages: total, expires: 5_000 })) {
    const id = m.headers?.get('Nats-Msg-Id') ?? '';
    counts.set(id, (counts.get(id) ?? 0) + 1);
    if (++read === total) break;
  }
  return counts;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(!canRun)(
  'fault: nats-server stopped mid-run and restarted on the same store dir',
  () => {
    it('given publishes in flight, when the server stops and comes back, then every acknowledged event is stored exactly once, every missing one was reported failed, and a retry completes the rest once', async () => {
      const acquired = await acquireBroker(natsBroker, { ownProcess: true });
      if (isMissing(acquired)) throw new Error(acquired.missing);
      const broker: Broker = acquired;
      const nc = await connect({
        servers: broker.url,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 50,
      });
      try {
        await ensureStream(nc, { name: 'FAULT', subjects: ['fault.>'] });
        const publisher = natsPublisher({
          connection: nc,
          headers,
          prefix: 'fault',
          timeoutMs: 500,
        });
        const batches = await Promise.all(
          Array.from({ length: STREAMS }, () => sampleEnvelopes(uniqueStream(), EVENTS_PER_STREAM)),
        );
        const ledger: Ledger = { acked: new Set(), failed: new Set(), failedBatches: [] };

        let next = 0;
        let outage: Promise<void> | undefined;
        const lane = async () => {
          while (next < batches.length) {
            await send(publisher, batches[next++] as Envelope[], ledger, 1);
            if (!outage && ledger.acked.size >= (STREAMS * EVENTS_PER_STREAM) / 4) {
              outage = (async () => {
                await broker.control?.stop();
                await until(() => ledger.failed.size > 0, 'a publish failed during the outage');
                await broker.control?.start();
              })();
              await outage;
            }
          }
        };
        await Promise.all(Array.from({ length: LANES }, lane));
        await outage;

        const all = batches.flat().map((e) => e.id);
        expect(
          ledger.acked.size + ledger.failed.size,
          'every event was either acknowledged or reported failed',
        ).toBe(all.length);
        expect(ledger.failed.size, 'the outage made some publishes fail').toBeGreaterThan(0);
        await until(() => !nc.isClosed() && nc.info !== undefined, 'the client reconnected');

        const counts = await storedCounts(nc, 'FAULT');
        console.info(
          `[fault] ${ledger.acked.size} acknowledged, ${ledger.failed.size} reported failed (${[...ledger.failed].filter((id) => counts.has(id)).length} of those stored anyway), ${counts.size} stored`,
        );
        expect(
          [...ledger.acked].filter((id) => counts.get(id) !== 1),
          'acknowledged but not stored exactly once',
        ).toEqual([]);
        expect(
          all.filter((id) => !counts.has(id) && !ledger.failed.has(id)),
          'missing without being reported',
        ).toEqual([]);
        expect(
          [...counts.values()].filter((n) => n > 1),
          'stored twice',
        ).toEqual([]);

        const retry: Ledger = { acked: new Set(), failed: new Set(), failedBatches: [] };
        for (const batch of ledger.failedBatches) await send(publisher, batch, retry, 2);
        expect(retry.failed.size).toBe(0);
        const after = await storedCounts(nc, 'FAULT');
        expect(
          all.filter((id) => after.get(id) !== 1),
          'after the retry, not stored exactly once',
        ).toEqual([]);
        expect(after.size).toBe(all.length);
      } finally {
        await nc.close();
        await broker.dispose();
      }
    }, 120_000);
  },
);
