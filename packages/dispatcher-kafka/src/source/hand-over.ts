import type { Incoming } from '@eventfan/core';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { decodeRecord } from './decode.js';

/** What a record delivered was read as, for parking it. */
export interface Delivered {
  readonly topic: string;
  readonly message: KafkaMessage;
}

export interface HandOver {
  readonly deliver: (batch: readonly Incoming[]) => Promise<void>;
  readonly batchSize: number;
  /** True once the run is ending: no more deliveries. */
  readonly stopped: () => boolean;
  /** A delivery failed: the run ends with this error, nothing more is committed. */
  readonly failed: (error: unknown) => void;
  readonly delivered: WeakMap<Incoming, Delivered>;
}

/** Long enough not to flood the coordinator; kafkajs throttles to its `heartbeatInterval` anyway. */
const HEARTBEAT_EVERY_MS = 1_000;

/**
 * Hands one partition's fetched batch to the subscription in slices of `batchSize`, in offset
 * order; after each slice's `deliver` resolved, resolves its last offset and commits it. While a
 * slice is out the group gets heartbeats, so a slow handler is not taken for a dead member. A
 * delivery that rejects ends the run without a commit: the group re-reads from the last commit.
 * A commit or heartbeat error (a rebalance) goes back to kafkajs, which rejoins and re-fetches
 * from the committed offsets.
 */
export async function handOver(payload: EachBatchPayload, to: HandOver): Promise<void> {
  const { batch } = payload;
  const { topic, partition, messages } = batch;
  for (let at = 0; at < messages.length; at += to.batchSize) {
    if (to.stopped() || !payload.isRunning() || payload.isStale()) return;
    const slice = messages.slice(at, at + to.batchSize);
    const incoming = slice.map((message) => {
      const one = decodeRecord(topic, partition, message);
      to.delivered.set(one, { topic, message });
      return one;
    });
    try {
      await beating(payload.heartbeat, () => to.deliver(incoming));
    } catch (error) {
      to.failed(error);
      return;
    }
    payload.resolveOffset((slice[slice.length - 1] as KafkaMessage).offset);
    await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
    await payload.heartbeat();
  }
}

async function beating(heartbeat: () => Promise<void>, work: () => Promise<void>): Promise<void> {
  // A heartbeat refused here (a rebalance) is met again at the commit, where kafkajs handles it.
  const timer = setInterval(() => void heartbeat().catch(() => {}), HEARTBEAT_EVERY_MS);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
}
