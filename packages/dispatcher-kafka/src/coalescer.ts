import type { KafkaRecord } from '@eventfan/cloudevents';
import type { BrokerUnavailable, EventfanError } from '@eventfan/core';
import type { Producer, RecordMetadata } from 'kafkajs';
import { KafkaPublishError, notAcknowledged, publishErrorFor } from './errors.js';
import type { Settings } from './options.js';
import type { KafkaPrepared } from './prepare.js';
import { DeadlineSweep } from './deadline-sweep.js';
import type { ProducerSlot } from './producer-slot.js';
import { inRecordOrder, positionsOf, type KafkaPosition, type SentTopic } from './receipts.js';
import { takeRequest } from './take-request.js';
import { outcomeUncertain } from './uncertain.js';

/** One publish, from the moment it is handed over until it is answered. */
interface Member {
  readonly prepared: KafkaPrepared;
  readonly stream: string;
  readonly bytes: number;
  readonly answer: (outcome: KafkaPosition[] | Error) => void;
  answered: boolean;
  /** Put back once after a shared request was refused: a second refusal is its own. */
  requeued: boolean;
  request?: Request;
}

/** The publishes that go out as one `sendBatch` on one producer. */
interface Request {
  readonly members: readonly Member[];
  readonly producer: Producer;
  sending?: Promise<RecordMetadata[]>;
  /** The next request may go: this one settled, or was given up at a deadline. */
  released: boolean;
}

export interface CoalescerOptions {
  readonly settings: Settings;
  readonly slot: ProducerSlot;
  /** The partition a record went to, when the producer's partitioner said. */
  readonly partitionOf: (message: KafkaRecord) => number | undefined;
}

/**
 * One request at a time on the slot's producer — two in flight could share kafkajs's sequence
 * numbers (see producer-slot.ts) — and what concurrent publishes hand over meanwhile leaves as the
 * next request, one `sendBatch` over all their topics, at most `maxMessageBytes` of records.
 *
 * A refusal must not reach another publish's events: a topic goes into a shared request only once
 * a request to it succeeded (before that, and after a refusal, a publish to it goes alone), and if
 * a shared request is refused anyway (Kafka does not say which topic), each of its publishes is
 * sent again alone, on a new producer (the refusal may have left other partitions written with
 * their sequence numbers handed back). Any other failure reaches every publish of the request.
 */
export class RequestCoalescer {
  readonly #options: CoalescerOptions;
  #waiting: Member[] = [];
  #inFlight: Request | undefined;
  #scheduled = false;
  /** Topics a request succeeded on, so they may share one. */
  readonly #proven = new Set<string>();
  readonly #idle = new Set<() => void>();
  readonly #deadlines: DeadlineSweep<Member>;

  constructor(options: CoalescerOptions) {
    this.#options = options;
    this.#deadlines = new DeadlineSweep(options.settings.timeoutMs, (m) => this.#expire(m));
  }

  /** Each record's position once Kafka acknowledged the request, in record order; or the error. */
  send(prepared: KafkaPrepared): Promise<KafkaPosition[]> {
    return new Promise((resolve, reject) => {
      const member: Member = {
        prepared,
        stream: prepared.stream,
        bytes: prepared.bytes,
        answered: false,
        requeued: false,
        answer: (outcome) => {
          if (member.answered) return;
          member.answered = true;
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        },
      };
      this.#deadlines.add(member);
      this.#waiting.push(member);
      this.#schedule('idle');
    });
  }

  /** Settles once nothing waits and no request is in flight. */
  idle(): Promise<void> {
    if (!this.#inFlight && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.add(resolve));
  }

  /**
   * When what waits goes out. An idle publisher holds nothing back, as in Nagle's rule: with
   * `lingerMs` 0 it sends at the end of the caller's synchronous run (what was handed over in it
   * goes together), else after `lingerMs`. At `turn`: at the next turn of the loop (see #release).
   */
  #schedule(when: 'idle' | 'turn'): void {
    if (this.#inFlight || this.#scheduled) return;
    this.#scheduled = true;
    const go = () => {
      this.#scheduled = false;
      this.#next();
    };
    const { lingerMs } = this.#options.settings;
    if (when === 'turn') setImmediate(go);
    else if (lingerMs > 0) setTimeout(go, lingerMs);
    else queueMicrotask(go);
  }

  #next(): void {
    if (this.#inFlight) return;
    if (this.#waiting.length === 0) {
      // Only when someone waits: clear() gives the set a new table, on every idle publish otherwise.
      if (this.#idle.size > 0) {
        for (const wake of this.#idle) wake();
        this.#idle.clear();
      }
      return;
    }
    const { taken, rest } = takeRequest(
      this.#waiting,
      (m) => m.prepared.topics.every((t) => this.#proven.has(t.topic)),
      this.#options.settings.maxMessageBytes,
    );
    this.#waiting = rest;
    const request: Request = {
      members: taken,
      producer: this.#options.slot.current(),
      released: false,
    };
    for (const member of taken) member.request = request;
    this.#inFlight = request;
    void this.#run(request);
  }

  async #run(request: Request): Promise<void> {
    const { slot, settings } = this.#options;
    // Only a producer's first request waits for its connect: the rest go out in this turn.
    const refused = slot.connected(request.producer)
      ? undefined
      : await slot.ready(request.producer).then(
          () => undefined,
          (error: unknown) => ({ error }),
        );
    const members = request.members.filter((m) => !m.answered);
    // Given up at a deadline while connecting: nothing was sent; the rest go on the next producer.
    if (request.released) return this.#requeue(members);
    if (refused || members.length === 0) {
      if (refused) this.#fail(members, refused.error);
      return this.#release(request);
    }
    const sent = outgoing(members);
    try {
      request.sending = request.producer.sendBatch({
        topicMessages: sent.topics.map(({ topic, messages }) => ({ topic, messages })),
        acks: -1,
        timeout: settings.timeoutMs,
        compression: settings.compression,
      });
      const results = await request.sending;
      for (const { topic } of sent.topics) this.#proven.add(topic);
      sent.answer(positionsOf(sent.topics, results, this.#options.partitionOf));
    } catch (error) {
      this.#refused(request, members, sent.topics.length, error);
    } finally {
      this.#release(request);
    }
  }

  /** A failed request: each publish hears of it, or goes again alone when a topic refused. */
  #refused(request: Request, members: Member[], topics: number, error: unknown): void {
    const { slot } = this.#options;
    const first = this.#errorFor(members[0] as Member, error);
    // Kafka answers a refused partition with an error for the whole request, handing back the
    // sequence numbers of partitions it wrote: with more than one partition that is uncertain.
    const shared = members.length > 1 || topics > 1;
    const uncertain = outcomeUncertain(first) || shared;
    if (uncertain) slot.distrust(request.producer, request.sending);
    const refusal = first instanceof KafkaPublishError && first.code !== 'KAFKA_SEND_FAILED';
    // Your own producer cannot be replaced, and a re-send on it could be swallowed: report.
    if (!(shared && refusal && slot.replaceable)) return this.#fail(members, error);
    for (const member of members) {
      for (const { topic } of member.prepared.topics) this.#proven.delete(topic);
    }
    this.#fail(
      members.filter((m) => m.requeued),
      error,
    );
    const again = members.filter((m) => !m.requeued);
    for (const member of again) member.requeued = true;
    this.#requeue(again);
  }

  #fail(members: readonly Member[], error: unknown): void {
    for (const member of members) member.answer(this.#errorFor(member, error));
  }

  /** Back to the front of the line, in their order. */
  #requeue(members: readonly Member[]): void {
    for (const member of members) delete member.request;
    this.#waiting = [...members, ...this.#waiting];
    this.#schedule('turn');
  }

  /**
   * After several publishes were answered at once, or with more waiting, the next request goes at
   * the next turn of the loop, not at once: the publishes just answered hand over their next ones
   * first (a caller's next command), so they join it. One answered alone leaves the publisher idle.
   */
  #release(request: Request): void {
    if (request.released) return;
    request.released = true;
    if (this.#inFlight === request) this.#inFlight = undefined;
    if (this.#waiting.length > 0 || request.members.length > 1) this.#schedule('turn');
    else this.#next();
  }

  /**
   * The deadline: one still waiting is never sent; one in flight has an unknown outcome, so a
   * producer this publisher built is retired on the spot (the request may still land through it)
   * and the next request goes on a new one; a producer passed in keeps the line until it settles.
   */
  #expire(member: Member): void {
    if (member.answered) return;
    member.answer(this.#timedOut(member));
    const { request } = member;
    if (!request) {
      this.#waiting = this.#waiting.filter((m) => m !== member);
      return;
    }
    if (this.#options.slot.replaceable && !request.released) {
      this.#options.slot.distrust(request.producer, request.sending);
      this.#release(request);
    }
  }

  #timedOut(member: Member): BrokerUnavailable {
    const { name, timeoutMs } = this.#options.settings;
    return notAcknowledged(name, timeoutMs, member.prepared);
  }

  #errorFor(member: Member, error: unknown): EventfanError {
    return publishErrorFor(error, this.#options.settings.name, member.prepared);
  }
}

/** What kafkajs takes for one topic. */
type OutgoingTopic = SentTopic<KafkaRecord> & { readonly messages: KafkaRecord[] };

/** A request's records by topic, and how their positions go back to each publish. */
interface Outgoing {
  readonly topics: readonly OutgoingTopic[];
  /** Answers each publish with its records' positions, given topic by topic as sent. */
  readonly answer: (positions: readonly (readonly KafkaPosition[])[]) => void;
}

/** One publish goes as it was prepared; several, topic by topic in the order handed over. */
function outgoing(members: readonly Member[]): Outgoing {
  const [only] = members;
  if (members.length === 1 && only) {
    return {
      topics: only.prepared.topics,
      answer: (positions) => only.answer(inRecordOrder(only.prepared, positions)),
    };
  }
  const byTopic = new Map<string, OutgoingTopic & { readonly owners: [Member, number][] }>();
  for (const member of members) {
    member.prepared.records.forEach(({ topic, message }, index) => {
      let sent = byTopic.get(topic);
      if (!sent) {
        // owners: whose each record is, the member and the record's index in its batch.
        sent = { topic, messages: [], owners: [] };
        byTopic.set(topic, sent);
      }
      sent.messages.push(message);
      sent.owners.push([member, index]);
    });
  }
  const topics = [...byTopic.values()];
  return {
    topics,
    answer: (positions) => {
      const byMember = new Map<Member, KafkaPosition[]>();
      topics.forEach(({ owners }, i) =>
        owners.forEach(([member, index], j) => {
          const mine = byMember.get(member) ?? [];
          byMember.set(member, mine);
          mine[index] = positions[i]?.[j] as KafkaPosition;
        }),
      );
      for (const member of members) member.answer(byMember.get(member) ?? []);
    },
  };
}
