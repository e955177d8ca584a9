import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';

/** One consumed record, as a consumer outside eventfan sees it. */
export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
}

/** Offsets by `topic/partition`. */
export type Offsets = ReadonlyMap<string, bigint>;

const WAIT_MS = 20_000;
/** After the wanted count arrived, how long to keep listening for records that should not be there. */
const SETTLE_MS = 300;

/**
 * An independent kafkajs consumer (own group, from the beginning) that keeps every record of some
 * topics, so tests can read back what a dispatcher wrote.
 */
export class TopicReader {
  readonly records: ReadRecord[] = [];
  readonly #waiters = new Set<() => void>();

  private constructor(
    private readonly kafka: Kafka,
    private readonly consumer: Consumer,
  ) {}

  /**
   * Each partition's end offset now: what is written next lies past it. A broker that outlives
   * one test run (`npm run brokers:up`) still holds the records of the runs before.
   */
  static async ends(kafka: Kafka, topics: readonly string[]): Promise<Offsets> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = new Map<string, bigint>();
      // A topic not made yet has no offsets (asking for them would wait on retries).
      const existing = new Set(await admin.listTopics());
      for (const topic of topics.filter((t) => existing.has(t))) {
        for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
          ends.set(`${topic}/${partition}`, BigInt(high));
        }
      }
      return ends;
    } finally {
      await admin.disconnect();
    }
  }

  /** Reads `topics` from the beginning, or from `after` (see `ends`) where it names a partition. */
  static async start(
    kafka: Kafka,
    topics: readonly string[],
    options: { readonly readCommitted?: boolean; readonly after?: Offsets } = {},
  ): Promise<TopicReader> {
    const after = options.after ?? new Map<string, bigint>();
    const consumer = kafka.consumer({
      groupId: `eventfan-test-${randomUUID()}`,
      readUncommitted: !(options.readCommitted ?? true),
      maxWaitTimeInMs: 100,
    });
    const reader = new TopicReader(kafka, consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        if (BigInt(message.offset) < (after.get(`${topic}/${partition}`) ?? 0n)) return;
        reader.records.push({
          topic,
          partition,
          offset: BigInt(message.offset),
          key: message.key?.toString() ?? null,
          value: message.value,
          headers: message.headers ?? {},
        });
        reader.#waiters.forEach((wake) => wake());
      },
    });
    return reader;
  }

  /** The records with this key (a stream), waiting until at least `atLeast` have arrived. */
  async byKey(key: string, atLeast: number, timeoutMs = WAIT_MS): Promise<ReadRecord[]> {
    const matching = () => this.records.filter((r) => r.key === key);
    await this.#until(
      () => matching().length >= atLeast,
      timeoutMs,
      `${atLeast} records keyed "${key}"`,
    );
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return matching();
  }

  /** Every record of `topic`, once the reader has consumed up to the topic's end offsets. */
  async all(topic: string, timeoutMs = WAIT_MS): Promise<ReadRecord[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    const caughtUp = () =>
      ends.every(({ partition, high }) => {
        const offsets = this.records.filter((r) => r.topic === topic && r.partition === partition);
        return BigInt(high) === 0n || offsets.some((r) => r.offset + 1n >= BigInt(high));
      });
    await this.#until(caughtUp, timeoutMs, `the end of topic "${topic}"`);
    return this.records.filter((r) => r.topic === topic);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  #until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        finish();
        resolve();
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`read ${this.records.length} records in ${timeoutMs} ms without ${what}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
    });
  }
}
