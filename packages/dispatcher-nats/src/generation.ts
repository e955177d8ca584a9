import { fromNatsRecord, fromSequence } from '@eventfan/cloudevents';
import { ConcurrencyConflict, type Envelope } from '@eventfan/core';
import {
  lastOnSubject,
  streamCapturing,
  type ApiCall,
  type StoredMessage,
} from './jetstream-api.js';
import { noStream } from './publish-error.js';

/** What the last event on a subject is: its stream sequence, generation and id. */
interface LastEvent {
  readonly seq: number;
  readonly generation: number | undefined;
  readonly id: string | undefined;
}

const REMEMBERED = 10_000;

/**
 * Turns the generation before a batch (its first envelope's, minus one) into the
 * `Nats-Expected-Last-Subject-Sequence` of its first event. The subject's last stream sequence is
 * remembered after each publish, so a writer that keeps up with its streams asks JetStream
 * nothing; otherwise the last message on the subject is looked up and its CloudEvent `sequence`
 * (the generation) compared.
 */
export class GenerationCheck {
  readonly #known = new Map<string, { readonly generation: number; readonly seq: number }>();
  readonly #streams = new Map<string, string>();

  constructor(
    private readonly call: ApiCall,
    private readonly target: string,
  ) {}

  /**
   * The sequence to expect before `envelopes`, or a ConcurrencyConflict (nothing sent). On a retry
   * (attempt > 1), a subject that already ends with one of these envelopes is where an earlier
   * attempt stopped: the sequence returned lets JetStream answer for the envelopes already there
   * (duplicates, within its duplicate window) and append the rest.
   */
  async base(subject: string, envelopes: readonly Envelope[], retry: boolean): Promise<number> {
    const first = envelopes[0] as Envelope;
    const expected = first.generation - 1;
    // A retry looks: an earlier attempt may have stored more than this publisher remembers.
    const known = retry ? undefined : this.#known.get(subject);
    if (known?.generation === expected) return known.seq;
    const last = await this.last(subject);
    if (!last) {
      if (expected === 0) return 0;
      throw new ConcurrencyConflict(first.stream, expected, 0, this.target);
    }
    if (last.generation === expected) return last.seq;
    const retried =
      retry && last.generation !== undefined && last.generation > expected
        ? envelopes[last.generation - expected - 1]
        : undefined;
    if (retried !== undefined && retried.id === last.id) return last.seq;
    throw new ConcurrencyConflict(first.stream, expected, last.generation, this.target);
  }

  remember(subject: string, stream: string, generation: number, seq: number): void {
    bounded(this.#streams).set(subject, stream);
    bounded(this.#known).set(subject, { generation, seq });
  }

  forget(subject: string): void {
    this.#known.delete(subject);
  }

  /** The generation of the subject's last event, for a conflict's message; undefined if unknown. */
  async actual(subject: string): Promise<number | undefined> {
    try {
      const last = await this.last(subject);
      return last ? last.generation : 0;
    } catch {
      return undefined;
    }
  }

  private async last(subject: string): Promise<LastEvent | undefined> {
    const stream = this.#streams.get(subject) ?? (await streamCapturing(this.call, subject));
    if (stream === undefined) throw noStream(this.target, subject);
    bounded(this.#streams).set(subject, stream);
    const stored = await lastOnSubject(this.call, stream, subject);
    return stored && { seq: stored.seq, ...identify(stored) };
  }
}

function identify(stored: StoredMessage): {
  generation: number | undefined;
  id: string | undefined;
} {
  try {
    const event = fromNatsRecord({ headers: stored.headers, data: stored.data });
    return { generation: fromSequence(String(event['sequence']), event.id), id: event.id };
  } catch {
    return { generation: undefined, id: stored.headers['Nats-Msg-Id'] };
  }
}

/** Keeps a per-subject map from growing without end: the oldest entry goes first. */
function bounded<V>(map: Map<string, V>): Map<string, V> {
  if (map.size >= REMEMBERED) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  return map;
}
