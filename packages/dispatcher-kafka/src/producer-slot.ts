import type { Producer } from 'kafkajs';

/**
 * The producer the dispatcher sends with, and what happens to it after a send of uncertain outcome.
 *
 * Why replace it: when a send fails (a timeout, a dropped connection, NOT_LEADER), kafkajs hands
 * the batch's sequence numbers back although the broker may have kept the batch. The next batch on
 * that partition — another stream's events — then carries the same numbers; the broker takes it
 * for a retry of the first, acknowledges it with the first batch's offset and drops it. A new
 * producer has a new producer id (or, transactional, a bumped epoch) and numbers from 0, so an
 * uncertain batch can never swallow a different one.
 */
export interface ProducerSlot {
  /** False for a producer the caller passed in: distrust() cannot replace it. */
  readonly replaceable: boolean;
  /** The producer for the next send; built anew when the last one was retired. */
  current(): Producer;
  /**
   * Connects `producer` (the current one) once; a failed connect retires it, so the next send
   * starts afresh.
   */
  ready(producer: Producer): Promise<void>;
  /** Whether `producer` is the current one and connected: a send on it need not wait for ready(). */
  connected(producer: Producer): boolean;
  /**
   * `producer` had a send whose outcome is unknown (`sending`, when it still runs): retire it, so
   * the next send goes through a new one. Nothing when it is already retired.
   */
  distrust(producer: Producer, sending?: Promise<unknown>): void;
  /** Disconnects what this slot built; a producer passed in stays as it is. */
  close(): Promise<void>;
}

/** A slot that builds its producers (`build` is called now, so a bad config throws here). */
export function ownedProducer(build: () => Producer): ProducerSlot {
  return new OwnedSlot(build);
}

/** A slot around the caller's connected producer, which it can neither connect nor replace. */
export function givenProducer(producer: Producer): ProducerSlot {
  const ready = Promise.resolve();
  return {
    replaceable: false,
    current: () => producer,
    ready: () => ready,
    connected: () => true,
    distrust: () => {},
    close: async () => {},
  };
}

class OwnedSlot implements ProducerSlot {
  readonly replaceable = true;
  #producer: Producer | undefined;
  #connecting: Promise<void> | undefined;
  #connected = false;
  /** First disconnects of retired producers, which close() waits for. */
  readonly #retiring = new Set<Promise<void>>();

  constructor(private readonly build: () => Producer) {
    this.#producer = build();
  }

  current(): Producer {
    this.#producer ??= this.build();
    return this.#producer;
  }

  ready(producer: Producer): Promise<void> {
    // Retired while its task waited: the task sees its deadline passed and sends nothing.
    if (producer !== this.#producer) return Promise.resolve();
    this.#connecting ??= producer.connect().then(
      () => {
        if (producer === this.#producer) this.#connected = true;
      },
      (error: unknown) => {
        this.distrust(producer);
        throw error;
      },
    );
    return this.#connecting;
  }

  connected(producer: Producer): boolean {
    return this.#connected && producer === this.#producer;
  }

  distrust(producer: Producer, sending?: Promise<unknown>): void {
    if (producer !== this.#producer) return;
    const connected = this.#connecting !== undefined;
    this.#producer = undefined;
    this.#connecting = undefined;
    this.#connected = false;
    if (connected) this.#retire(producer, sending);
  }

  async close(): Promise<void> {
    const producer = this.#producer;
    if (producer && this.#connecting) {
      this.#producer = undefined;
      this.#connecting = undefined;
      this.#connected = false;
      await producer.disconnect().catch(() => {});
    }
    await Promise.allSettled(this.#retiring);
  }

  /**
   * Disconnects now, so a send still hanging on it fails soon; kafkajs's retry reconnects a
   * disconnected producer, so once that send has settled, once more.
   */
  #retire(producer: Producer, sending: Promise<unknown> | undefined): void {
    const first = producer.disconnect().catch(() => {});
    this.#retiring.add(first);
    void first.finally(() => this.#retiring.delete(first));
    if (sending) {
      void Promise.allSettled([first, sending]).then(() => producer.disconnect().catch(() => {}));
    }
  }
}
