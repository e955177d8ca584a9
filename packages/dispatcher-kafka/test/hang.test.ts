import {
  acquireBrokerOrSkip,
  isMissing,
  kafkaBroker,
  sampleEnvelopes,
  uniqueStream,
  type Broker,
} from '@eventfan/testing';
import { logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaPublisher } from '../src/index.js';
import { describeTally, tallyDelivery } from './delivery-tally.js';
import { createTopics, testKafka } from './kafka.js';
import { publishStream, untilLogged, type Attempt } from './stream-publisher.js';
import { TopicReader, type ReadRecord } from './topic-reader.js';

const STREAMS = 8;
const EVENTS_PER_STREAM = 40;
const REQUEST_TIMEOUT_MS = 1_000;
const DISPATCH_TIMEOUT_MS = 5_000;
/**
 * Each longer than requestTimeout, so produce requests time out while the broker holds them: the
 * first within kafkajs's retries (a send succeeds on a retry), the second past them and past the
 * dispatch deadline (dispatches fail and are re-sent).
 */
const FREEZES_MS = [3 * REQUEST_TIMEOUT_MS, DISPATCH_TIMEOUT_MS + 2_000];

/**
 * What a read_committed reader has of `topic` once it holds every id in `ids` or 20 s passed (a
 * transactional topic ends in a commit marker no consumer sees, so TopicReader.all cannot tell
 * when it is done); then a moment more for copies that should not be there.
 */
async function committedRecords(
  reader: TopicReader,
  topic: string,
  ids: ReadonlySet<string>,
): Promise<ReadRecord[]> {
  const found = () => reader.records.filter((r) => r.topic === topic);
  const until = Date.now() + 20_000;
  while (Date.now() < until && new Set(found().map((r) => r.headers['ce_id'])).size < ids.size) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return found();
}

/**
 * The regression test for kafkajs's idempotent producer losing acknowledged events: a produce
 * request that timed out hands its sequence numbers back although the frozen broker still holds
 * the batch; another stream's next batch reuses them, and the broker acknowledges it as a
 * duplicate of the first — with the first's offset — and drops it.
 */
describe('kafkaPublisher when the broker hangs (SIGSTOP) longer than requestTimeout', () => {
  let broker: Broker | undefined;
  let skipped = '';

  beforeAll(async () => {
    const got = await acquireBrokerOrSkip(kafkaBroker, { ownProcess: true });
    if (isMissing(got)) skipped = got.missing;
    else broker = got;
  });
  afterAll(() => broker?.dispose());

  // Transactional: an aborted batch keeps its sequence numbers for the next transaction of the
  // same epoch, so the same swallowing applies; read back with read_committed.
  it.for([
    { mode: 'idempotent', transactional: false },
    { mode: 'transactional', transactional: true },
  ])(
    'given streams publishing into one partition ($mode), when the broker freezes and thaws, then every acknowledged event is in the topic where its receipt says, duplicates come only from re-sends, and each stream is in order',
    { timeout: 180_000 },
    async ({ mode, transactional }, context) => {
      if (!broker) return context.skip(skipped);
      const control = broker.control;
      if (!control?.pause || !control.resume) throw new Error(`${broker.label} cannot be paused`);
      const kafka = testKafka(broker.url);
      const topic = uniqueStream('hang');
      // One partition: every stream's batches share its sequence numbers, as the bug needs.
      await createTopics(kafka, [{ topic, numPartitions: 1 }]);
      const publisher = kafkaPublisher({
        kafka: {
          brokers: [broker.url],
          logLevel: logLevel.NOTHING,
          connectionTimeout: 500,
          requestTimeout: REQUEST_TIMEOUT_MS,
          retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
        },
        topic: () => topic,
        timeoutMs: DISPATCH_TIMEOUT_MS,
        transactional,
      });
      const streams = Array.from({ length: STREAMS }, () => uniqueStream('hang'));
      const plan = await Promise.all(streams.map((s) => sampleEnvelopes(s, EVENTS_PER_STREAM)));
      const log: Attempt[] = [];
      const deadline = Date.now() + 120_000;
      const publishing = Promise.all(
        plan.map((envelopes) => publishStream(publisher, envelopes, log, deadline)),
      );

      const total = STREAMS * EVENTS_PER_STREAM;
      for (const [i, freezeMs] of FREEZES_MS.entries()) {
        await untilLogged(log, 'acknowledged', (total * (i + 1)) / (FREEZES_MS.length + 1));
        await control.pause();
        await new Promise((resolve) => setTimeout(resolve, freezeMs));
        await control.resume();
      }
      await publishing;
      await publisher.close();

      const reader = await TopicReader.start(kafka, [topic]);
      const records = transactional
        ? await committedRecords(reader, topic, new Set(log.map((a) => a.id)))
        : await reader.all(topic);
      await reader.stop();
      const tally = tallyDelivery(plan, log, records);
      const failed = log.filter((a) => a.outcome === 'failed').length;
      console.info(
        `[hang ${mode}] ${total} events, ${failed} failed attempts, ${records.length} records: ${describeTally(tally)}`,
      );

      // The long freeze failed dispatches (and so exercised the re-sends); all got through in the end.
      expect(failed).toBeGreaterThan(0);
      expect(log.filter((a) => a.outcome === 'acknowledged')).toHaveLength(total);
      expect(tally.lost).toEqual([]);
      expect(tally.misplaced).toEqual([]);
      expect(tally.unexplained).toEqual([]);
      expect(tally.outOfOrder).toEqual([]);
    },
  );
});
