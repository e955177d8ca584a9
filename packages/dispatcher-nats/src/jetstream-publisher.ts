import {
  ConcurrencyConflict,
  EventfanError,
  InvalidEvent,
  OperationAborted,
  type Envelope,
  type EventReceipt,
  type PublishContext,
  type Publisher,
  type Receipt,
} from '@eventfan/core';
import { assertOpen, partialFailure, siteOf, withDeadline } from '@eventfan/core/adapter';
import type { JetStreamClient, PubAck } from './client.js';
import type { Outgoing } from './encode.js';
import { classify, JS_WRONG_LAST_SEQUENCE } from './failure.js';
import { GenerationCheck } from './generation.js';
import { DEFAULT_API_PREFIX, type ApiCall } from './jetstream-api.js';
import { optionsError, settings, type NatsPublisherOptions, type Settings } from './options.js';
import { assertPreparedBy, prepareBatch, type NatsPrepared } from './prepare.js';
import { connectionClosed, noAnswer, publishError } from './publish-error.js';

/** Where JetStream stored an event: its stream, stream sequence and subject. */
export type JetStreamPosition = {
  readonly stream: string;
  readonly sequence: number;
  readonly subject: string;
};

/** A JetStream publisher: what `natsPublisher` returns. */
export type NatsPublisher = Publisher<JetStreamPosition, NatsPrepared>;

/** One publish's outcome: its PubAck, why it failed, or nothing when it was never sent. */
type Outcome = PubAck | { readonly failed: unknown } | undefined;

const isAck = (outcome: Outcome): outcome is PubAck =>
  outcome !== undefined && !('failed' in outcome);

/**
 * Publishes each event as a CloudEvent to JetStream with `Nats-Msg-Id` = event id and awaits the
 * PubAcks: at least once into the stream, and a re-send within the stream's duplicate window is
 * acknowledged as a duplicate instead of stored again. Works over a connection you already have.
 */
export function natsPublisher(options: NatsPublisherOptions): NatsPublisher {
  return new JetStreamNatsPublisher(options);
}

class JetStreamNatsPublisher implements NatsPublisher {
  readonly name: string;
  readonly #js: JetStreamClient;
  readonly #settings: Settings;
  readonly #api: ApiCall;
  readonly #maxInFlight: number;
  readonly #generations: GenerationCheck | undefined;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed = false;

  constructor(options: NatsPublisherOptions) {
    this.#settings = settings(options);
    this.name = this.#settings.name;
    const js = options.jetstream ?? options.connection.jetstream?.();
    if (!js) {
      throw optionsError(
        this.name,
        'pass `jetstream` (jetstream(nc) from @nats-io/jetstream) — this connection has no jetstream() method',
      );
    }
    this.#js = js;
    this.#maxInFlight = options.maxInFlight ?? 1;
    if (!Number.isInteger(this.#maxInFlight) || this.#maxInFlight < 1) {
      throw optionsError(this.name, 'maxInFlight must be a whole number >= 1');
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

  prepare(envelopes: readonly Envelope[]): NatsPrepared {
    const prepared = prepareBatch(envelopes, this.#settings, {
      closed: this.#closed,
      withReply: true,
    });
    if (this.#generations) assertOneSubject(this.name, prepared.messages);
    return prepared;
  }

  publish(
    prepared: NatsPrepared,
    context: PublishContext = { attempt: 1 },
  ): Promise<Receipt<JetStreamPosition>> {
    const sending = this.#send(prepared, context);
    // close() waits for these; each publish inside is bounded by timeoutMs.
    this.#inFlight.add(sending);
    const untrack = () => this.#inFlight.delete(sending);
    sending.then(untrack, untrack);
    return sending;
  }

  /** Lets the publishes in flight finish, then refuses more; the connection stays the caller's. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled(this.#inFlight);
  }

  async #send(
    prepared: NatsPrepared,
    context: PublishContext,
  ): Promise<Receipt<JetStreamPosition>> {
    assertOpen(this.name, this.#closed);
    assertPreparedBy(this.name, prepared);
    const { stream, messages } = prepared;
    const subject = (messages[0] as Outgoing).subject;
    if (context.signal?.aborted) {
      throw new OperationAborted(this.name, stream, context.signal.reason);
    }
    if (this.#settings.connection.isClosed()) throw connectionClosed(this.name, subject);
    const outcomes = this.#generations
      ? await this.#sendChecked(prepared, context, this.#generations)
      : await this.#sendPipelined(prepared, context.signal);
    return this.#receipt(prepared, outcomes);
  }

  /** One publish, failing at the timeout or when the signal fires, whichever comes first. */
  #publish(
    item: Outgoing,
    signal: AbortSignal | undefined,
    lastSubjectSequence?: number,
  ): Promise<PubAck> {
    const { timeoutMs } = this.#settings;
    const acked = this.#js.publish(item.subject, item.data, {
      headers: item.headers,
      timeout: timeoutMs,
      ...(lastSubjectSequence === undefined ? {} : { expect: { lastSubjectSequence } }),
    });
    return withDeadline(acked, {
      timeoutMs,
      onTimeout: () => noAnswer(this.name, item.subject, timeoutMs),
      signal,
      target: this.name,
      stream: item.envelope.stream,
    });
  }

  /** Nothing more is sent once the signal fired: the event is reported as not delivered. */
  #aborted(stream: string, signal: AbortSignal | undefined): Outcome {
    return signal?.aborted
      ? { failed: new OperationAborted(this.name, stream, signal.reason) }
      : undefined;
  }

  /**
   * Up to maxInFlight publishes at once, issued in order. After the first failure nothing more is
   * sent, and what is in flight is awaited so the receipt says exactly what JetStream took.
   */
  async #sendPipelined(
    prepared: NatsPrepared,
    signal: AbortSignal | undefined,
  ): Promise<Outcome[]> {
    const out = prepared.messages;
    const outcomes: Outcome[] = new Array<Outcome>(out.length).fill(undefined);
    let next = 0;
    let stop = false;
    const lane = async (): Promise<void> => {
      while (!stop && next < out.length) {
        const i = next++;
        const aborted = this.#aborted(prepared.stream, signal);
        if (aborted) {
          outcomes[i] = aborted;
          stop = true;
          return;
        }
        try {
          outcomes[i] = await this.#publish(out[i] as Outgoing, signal);
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
    prepared: NatsPrepared,
    context: PublishContext,
    generations: GenerationCheck,
  ): Promise<Outcome[]> {
    const { messages: out, envelopes, stream } = prepared;
    const outcomes: Outcome[] = new Array<Outcome>(out.length).fill(undefined);
    const subject = (out[0] as Outgoing).subject;
    let expected: number;
    try {
      expected = await generations.base(subject, envelopes, context.attempt > 1);
    } catch (error) {
      throw await this.#error(error, subject, stream);
    }
    for (const [i, item] of out.entries()) {
      outcomes[i] = this.#aborted(stream, context.signal);
      if (outcomes[i]) break;
      try {
        const ack = await this.#publish(item, context.signal, expected);
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
      const generation = (envelopes[envelopes.length - 1] as Envelope).generation;
      generations.remember(subject, last.stream, generation, expected);
    }
    return outcomes;
  }

  async #receipt(
    prepared: NatsPrepared,
    outcomes: readonly Outcome[],
  ): Promise<Receipt<JetStreamPosition>> {
    const out = prepared.messages;
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
    const item = out[outcomes.indexOf(failure)] as Outgoing;
    const cause = await this.#error(
      failure.failed,
      item.subject,
      prepared.stream,
      item.envelope.generation - 1,
    );
    throw partialFailure(this.name, prepared.envelopes, (_, i) => isAck(outcomes[i]), cause);
  }

  /** The typed error for a failed call; `expected` (the generation before it) names a conflict. */
  async #error(
    error: unknown,
    subject: string,
    stream: string,
    expected?: number,
  ): Promise<EventfanError> {
    if (error instanceof EventfanError) return error;
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

/** The expected-sequence check is per subject: a stream spread over several cannot be checked. */
function assertOneSubject(target: string, out: readonly Outgoing[]): void {
  const subject = (out[0] as Outgoing).subject;
  const elsewhere = out.find((o) => o.subject !== subject);
  if (elsewhere) {
    throw new InvalidEvent(
      `checkGeneration needs every event of a stream on one subject, but the subject function gave "${subject}" and "${elsewhere.subject}"; nothing was sent`,
      siteOf(target, elsewhere.envelope),
    );
  }
}
