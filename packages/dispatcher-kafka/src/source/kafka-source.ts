import type { Incoming, SubscriptionSource } from '@eventfan/core';
import type { Consumer } from 'kafkajs';
import { SourceClients } from './clients.js';
import { deadLetterMessage } from './dead-letter.js';
import { handOver, type Delivered } from './hand-over.js';
import { groupLag } from './lag.js';
import { SOURCE_DEFAULTS, type KafkaSourceOptions } from './options.js';

/** core's SubscriptionSource on a kafkajs consumer group: what `kafkaSource` returns. */
export interface KafkaSource extends SubscriptionSource {
  readonly groupId: string;
  /** Where records of `topic` are parked. */
  deadLetterTopicOf(topic: string): string;
}

/**
 * A subscription source on a Kafka consumer group. Each partition's records are decoded (binary
 * or structured CloudEvent) and delivered in offset order, so in order per stream (key = stream);
 * a record that is not an eventfan CloudEvent is delivered as an error, to be parked. Offsets are
 * committed only after the subscription handled them — auto-commit is off — so after a crash or a
 * rebalance the group reads again from the last commit: at least once, the marks drop the repeats.
 * Parking produces the record as it came to the dead-letter topic, with the reason.
 */
export function kafkaSource(options: KafkaSourceOptions): KafkaSource {
  const { groupId } = options;
  const topics = [...(options.topics ?? [])];
  const name = options.name ?? `kafka:${groupId}`;
  const batchSize = options.batchSize ?? SOURCE_DEFAULTS.batchSize;
  const fromBeginning = options.fromBeginning ?? false;
  const deadLetterTopicOf = (topic: string) => options.deadLetterTopic ?? `${topic}.deadletter`;
  validate();
  const clients = new SourceClients(options);
  const delivered = new WeakMap<Incoming, Delivered>();
  let running: Promise<void> | undefined;
  let closed = false;

  function validate(): void {
    const refuse = (why: string) => {
      throw new TypeError(`kafkaSource "${name}": ${why}`);
    };
    if (typeof groupId !== 'string' || groupId === '') refuse('`groupId` is required');
    if (topics.length === 0 || topics.some((t) => typeof t !== 'string' || t === ''))
      refuse('`topics` must name at least one topic');
    if (!Number.isSafeInteger(batchSize) || batchSize < 1)
      refuse(`batchSize must be a whole number >= 1, got ${batchSize}`);
    const readsBack = topics.find((t) => topics.includes(deadLetterTopicOf(t)));
    if (readsBack !== undefined)
      refuse(
        `it would read back its own dead letters: "${deadLetterTopicOf(readsBack)}" is one of its topics; pass another deadLetterTopic`,
      );
  }

  async function consume(
    consumer: Consumer,
    deliver: (batch: readonly Incoming[]) => Promise<void>,
    signal: AbortSignal,
  ): Promise<void> {
    let failure: { error: unknown } | undefined;
    let finish = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const fail = (error: unknown) => {
      failure ??= { error };
      finish();
    };
    signal.addEventListener('abort', finish, { once: true });
    // kafkajs restarts itself after a retriable crash; one it gives up on ends the run.
    const offCrash = consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) fail(payload.error);
    });
    try {
      await consumer.subscribe({ topics, fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) =>
          handOver(payload, {
            deliver,
            batchSize,
            delivered,
            stopped: () => signal.aborted || failure !== undefined,
            failed: fail,
          }),
      });
      if (signal.aborted) finish();
      await finished;
    } finally {
      signal.removeEventListener('abort', finish);
      offCrash();
      // Waits for the batch in hand (its commit included), then leaves the group.
      await consumer.stop();
    }
    if (failure) throw failure.error;
  }

  return {
    name,
    groupId,
    deadLetterTopicOf,

    run(deliver, signal) {
      const refused = closed ? 'is closed' : running ? 'is running already' : '';
      if (refused) return Promise.reject(new TypeError(`kafkaSource "${name}" ${refused}`));
      const run = clients
        .consumer()
        .then((consumer) => consume(consumer, deliver, signal))
        .finally(() => (running = undefined));
      running = run.catch(() => {});
      return run;
    },

    async park(incoming, reason) {
      const record = delivered.get(incoming);
      if (!record) throw new TypeError(`kafkaSource "${name}": park takes what it delivered`);
      const producer = await clients.producer();
      if (!producer) {
        throw new TypeError(
          `kafkaSource "${name}": cannot park ${incoming.position} without a producer; pass one with your consumer`,
        );
      }
      await producer.send({
        topic: deadLetterTopicOf(record.topic),
        acks: -1,
        messages: [
          deadLetterMessage(record.message, { reason, position: incoming.position, groupId }),
        ],
      });
    },

    async lag() {
      const admin = await clients.admin();
      return admin && groupLag(admin, groupId, topics, fromBeginning);
    },

    /** Waits for a run under way to end (its signal ends it), then disconnects what it built. */
    async close() {
      if (closed) return;
      closed = true;
      await running;
      await clients.close();
    },
  };
}
