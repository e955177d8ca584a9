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
import {
  assertOpen,
  assertPreparedBy,
  InFlight,
  millisecondsProblem,
  partialFailure,
  siteOf,
  withDeadline,
} from '@eventfan/core/adapter';
import type { PubAck } from './client.js';
import { PublishCoalescer } from './coalescer.js';
import type { Outgoing } from './encode.js';
import { classify, JS_WRONG_LAST_SEQUENCE } from './failure.js';
import { GenerationCheck } from './generation.js';
import { DEFAULT_API_PREFIX, type ApiCall } from './jetstream-api.js';
import { optionsError, settings, type NatsPublisherOptions, type Settings } from './options.js';
import { isNatsPrepared, prepareBatch, type NatsPrepared } from './prepare.js';
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
  readonly #coalescer: PublishCoalescer;
  /** Per stream, the latest dispatch's turn: the next one of that stream waits for it. */
  readonly #turns = new Map<string, Promise<void>>();
  readonly #settings: Settings;
  readonly #api: ApiCall;
  readonly #maxInFlight: number;
  readonly #generations: GenerationCheck | undefined;
  readonly #inFlight = new InFlight();
  #closed = false;

  constructor(options: NatsPublisherOptions) {
    this.#settings = settings(options);
    this.name = this.#settings.name;
    const lingerMs = options.lingerMs ?? 0;
    const linger = millisecondsProblem('lingerMs', lingerMs, 'zero');
    if (linger !== undefined) throw optionsError(this.name, linger);
    const { timeoutMs } = this.#settings;
    this.#coalescer = new PublishCoalescer({
      connection: options.connection,
      timeoutMs,
      lingerMs,
      onTimeout: (subject) => noAnswer(this.name, subject, timeoutMs),
      onClosed: (subject) => connectionClosed(this.name, subject),
    });
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
    // close() waits for these; each publish inside is bounded by timeoutMs.
    return this.#inFlight.track(this.#send(prepared, context));
  }

  /** Lets the publishes in flight finish, then refuses more; the connection stays the caller's. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#inFlight.settled();
    this.#coalescer.close();
  }

  async #send(
    prepared: NatsPrepared,
    context: PublishContext,
  ): Promise<Receipt<JetStreamPosition>> {
    assertOpen(this.name, this.#closed);
    assertPreparedBy({ name: this.name, kind: 'NATS' }, prepared, isNatsPrepared);
    const { stream, messages } = prepared;
    const subject = (messages[0] as Outgoing).subject;
    if (context.signal?.aborted) {
      throw new OperationAborted(this.name, stream, context.signal.reason);
    }
    if (this.#settings.connection.isClosed()) throw connectionClosed(this.name, subject);
    const turn = this.#takeTurn(stream);
    try {
      await turn.previous;
      const outcomes = this.#generations
        ? await this.#sendChecked(prepared, context, this.#generations)
        : await this.#sendPipelined(prepared, context.signal, turn.pass);
      return await this.#receipt(prepared, outcomes);
    } finally {
      turn.pass();
    }
  }

  /**
   * Dispatches of one stream take turns, so their events reach JetStream in generation order
   * even when several are in flight: the next one sends once this one has handed over its last
   * message (the connection keeps that order) or, with checkGeneration, once this one finished
   * (its last sequence is the next one's expected sequence). Other streams never wait.
   */
  #takeTurn(stream: string): { previous: Promise<void> | undefined; pass: () => void } {
    const previous = this.#turns.get(stream);
    let pass!: () => void;
    const mine = new Promise<void>((resolve) => {
      pass = () => {
        if (this.#turns.get(stream) === mine) this.#turns.delete(stream);
        resolve();
      };
    });
    this.#turns.set(stream, mine);
    return { previous, pass };
  }

  /** One publish through the coalescer: its PubAck, or the error (the signal's, if it fired). */
  async #publish(
    item: Outgoing,
    signal: AbortSignal | undefined,
    lastSubjectSequence?: number,
  ): Promise<PubAck> {
    const answered = this.#coalescer.send(item, lastSubjectSequence);
    // The coalescer times the request; a signal only needs a race of its own when there is one.
    const outcome = signal
      ? await withDeadline(answered, {
          timeoutMs: this.#settings.timeoutMs * 2,
          onTimeout: () => noAnswer(this.name, item.subject, this.#settings.timeoutMs),
          signal,
          target: this.name,
          stream: item.envelope.stream,
        })
      : await answered;
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  /** Nothing more is sent once the signal fired: the event is reported as not delivered. */
  #aborted(stream: string, signal: AbortSignal | undefined): Outcome {
    return signal?.aborted
      ? { failed: new OperationAborted(this.name, stream, signal.reason) }
      : undefined;
  }

  /**
   * Up to maxInFlight publishes of the batch at once, handed over in order; `handedOver` is
   * called once the last one is. After the first failure nothing more is sent, and what is in
   * flight is awaited so the receipt says exactly what JetStream took.
   */
  async #sendPipelined(
    prepared: NatsPrepared,
    signal: AbortSignal | undefined,
    handedOver: () => void,
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
        const acked = this.#publish(out[i] as Outgoing, signal);
        if (i === out.length - 1) handedOver();
        try {
          outcomes[i] = await acked;
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
