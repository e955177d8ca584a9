import {
  ConcurrencyConflict,
  DispatchIncomplete,
  EventfanError,
  InvalidEvent,
  type DispatchContext,
  type Dispatcher,
  type EventReceipt,
  type Envelope,
  type Receipt,
} from '@eventfan/core';
import type { JetStreamPublisher, NatsConnection, PubAck } from './client.js';
import type { Outgoing } from './encode.js';
import { classify, JS_WRONG_LAST_SEQUENCE } from './failure.js';
import { GenerationCheck } from './generation.js';
import { DEFAULT_API_PREFIX, type ApiCall } from './jetstream-api.js';
import { settings, type JetStreamDispatcherOptions, type Settings } from './options.js';
import { prepareBatch } from './prepare.js';
import { publishError } from './publish-error.js';

/** Where JetStream stored an event: its stream, stream sequence and subject. */
export type JetStreamPosition = {
  readonly stream: string;
  readonly sequence: number;
  readonly subject: string;
};

/** One publish's outcome: its PubAck, why it failed, or nothing when it was never sent. */
type Outcome = PubAck | { readonly failed: unknown } | undefined;

const isAck = (outcome: Outcome): outcome is PubAck =>
  outcome !== undefined && !('failed' in outcome);

/**
 * Publishes each envelope as a CloudEvent to JetStream with `Nats-Msg-Id` = envelope id and awaits
 * the PubAcks. Events of one dispatch are sent in order on one connection, so the stream stores
 * them in order; a retry within the stream's duplicate window is acknowledged as duplicate.
 */
export class JetStreamDispatcher implements Dispatcher<JetStreamPosition> {
  readonly name: string;
  readonly role = 'publisher' as const;
  readonly #connection: NatsConnection;
  readonly #js: JetStreamPublisher;
  readonly #settings: Settings;
  readonly #api: ApiCall;
  readonly #maxInFlight: number;
  readonly #generations: GenerationCheck | undefined;
  #closed = false;

  constructor(options: JetStreamDispatcherOptions) {
    this.#settings = settings(options);
    this.name = this.#settings.name;
    this.#connection = options.connection;
    const js = options.jetstream ?? options.connection.jetstream?.();
    if (!js) {
      throw new TypeError(
        `NATS dispatcher "${this.name}": pass \`jetstream\` (jetstream(nc) from @nats-io/jetstream) — this connection has no jetstream() method`,
      );
    }
    this.#js = js;
    this.#maxInFlight = options.maxInFlight ?? 1;
    if (!Number.isInteger(this.#maxInFlight) || this.#maxInFlight < 1) {
      throw new TypeError(
        `NATS dispatcher "${this.name}": maxInFlight must be a whole number >= 1`,
      );
    }
    this.#api = {
      connection: options.connection,
      apiPrefix: options.apiPrefix ?? DEFAULT_API_PREFIX,
      timeoutMs: this.#settings.timeoutMs,
    };
    this.#generations = options.checkGeneration
      ? new GenerationCheck(this.#api, this.name)
      : undefined;
  }

  async dispatch(
    envelopes: readonly Envelope[],
    context: DispatchContext,
  ): Promise<Receipt<JetStreamPosition>> {
    const out = prepareBatch(envelopes, context, this.#settings, this.#connection, this.#closed);
    const outcomes = this.#generations
      ? await this.#sendChecked(out, context, this.#generations)
      : await this.#sendPipelined(out, context.signal);
    return this.#receipt(out, outcomes, context);
  }

  /** Closes the dispatcher, not the connection: that stays the caller's. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  #publish(item: Outgoing, lastSubjectSequence?: number): Promise<PubAck> {
    return this.#js.publish(item.subject, item.data, {
      msgID: item.envelope.id,
      headers: item.headers,
      timeout: this.#settings.timeoutMs,
      ...(lastSubjectSequence === undefined ? {} : { expect: { lastSubjectSequence } }),
    });
  }

  /**
   * Up to maxInFlight publishes at once, issued in order. After the first failure nothing more is
   * sent, and what is in flight is awaited so the receipt says exactly what JetStream took.
   */
  async #sendPipelined(
    out: readonly Outgoing[],
    signal: AbortSignal | undefined,
  ): Promise<Outcome[]> {
    const outcomes: Outcome[] = new Array<Outcome>(out.length).fill(undefined);
    let next = 0;
    let stop = false;
    const lane = async (): Promise<void> => {
      while (!stop && next < out.length) {
        const i = next++;
        if (signal?.aborted) {
          outcomes[i] = { failed: signal.reason };
          stop = true;
          return;
        }
        try {
          outcomes[i] = await this.#publish(out[i] as Outgoing);
        } catch (error) {
          outcomes[i] = { failed: error };
          stop = true;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#maxInFlight, out.length) }, lane));
    return outcomes;
  }

  /** One after the other, each expecting the subject's last sequence to be the one before it. */
  async #sendChecked(
    out: readonly Outgoing[],
    context: DispatchContext,
    generations: GenerationCheck,
  ): Promise<Outcome[]> {
    const outcomes: Outcome[] = new Array<Outcome>(out.length).fill(undefined);
    const subject = (out[0] as Outgoing).subject;
    const elsewhere = out.find((o) => o.subject !== subject);
    if (elsewhere) {
      throw new InvalidEvent(
        `checkGeneration needs every event of a stream on one subject, but the subject function gave "${subject}" and "${elsewhere.subject}"; nothing was sent`,
        { stream: context.stream, generation: elsewhere.envelope.generation },
      );
    }
    let expected: number;
    try {
      expected = await generations.base(
        subject,
        out.map((o) => o.envelope),
        context.expectedGeneration,
        context.attempt > 1,
      );
    } catch (error) {
      if (error instanceof EventfanError) throw error;
      throw await this.#error(error, subject, context.stream);
    }
    for (const [i, item] of out.entries()) {
      if (context.signal?.aborted) {
        outcomes[i] = { failed: context.signal.reason };
        break;
      }
      try {
        const ack = await this.#publish(item, expected);
        outcomes[i] = ack;
        if (!ack.duplicate) expected = ack.seq;
      } catch (error) {
        outcomes[i] = { failed: error };
        generations.forget(subject);
        break;
      }
    }
    const last = outcomes[outcomes.length - 1];
    if (isAck(last)) {
      generations.remember(subject, last.stream, context.expectedGeneration + out.length, expected);
    }
    return outcomes;
  }

  async #receipt(
    out: readonly Outgoing[],
    outcomes: readonly Outcome[],
    context: DispatchContext,
  ): Promise<Receipt<JetStreamPosition>> {
    if (outcomes.every(isAck)) {
      const events = out.map((item, i): EventReceipt<JetStreamPosition> => {
        const ack = outcomes[i] as PubAck;
        return {
          id: item.envelope.id,
          generation: item.envelope.generation,
          duplicate: ack.duplicate,
          position: { stream: ack.stream, sequence: ack.seq, subject: item.subject },
        };
      });
      return { target: this.name, events };
    }
    const failure = outcomes.find((o) => o !== undefined && !isAck(o)) as { failed: unknown };
    const index = outcomes.indexOf(failure);
    const item = out[index] as Outgoing;
    const cause = await this.#error(
      failure.failed,
      item.subject,
      context.stream,
      context.expectedGeneration + index,
    );
    const delivered = out
      .filter((_, i) => isAck(outcomes[i]))
      .map((o) => ({ id: o.envelope.id, generation: o.envelope.generation }));
    if (delivered.length === 0) throw cause;
    const undelivered = out.filter((_, i) => !isAck(outcomes[i])).map((o) => o.envelope.id);
    throw new DispatchIncomplete(this.name, context.stream, delivered, undelivered, cause);
  }

  async #error(
    error: unknown,
    subject: string,
    stream: string,
    expected?: number,
  ): Promise<EventfanError> {
    const failure = classify(error);
    if (
      failure.kind === 'jetstream' &&
      failure.errCode === JS_WRONG_LAST_SEQUENCE &&
      expected !== undefined
    ) {
      const actual = await this.#generations?.actual(subject);
      return new ConcurrencyConflict(stream, expected, actual, this.name);
    }
    return publishError(error, {
      target: this.name,
      subject,
      stream,
      timeoutMs: this.#settings.timeoutMs,
      api: this.#api,
    });
  }
}
