import { fromNatsRecord, toEnvelope } from '@eventfan/cloudevents';
import type { Incoming, SubscriptionSource } from '@eventfan/core';
import type { HeadersFactory, NatsConnection } from '../client.js';
import { NatsStreamError } from '../errors.js';
import { DEFAULT_API_PREFIX, jsApi, type ApiCall } from '../jetstream-api.js';
import { publishSubjectProblem, subjectToken } from '../subject.js';
import { deliveryOf } from './ack-subject.js';
import { ackWaitMs, consumerInfo, consumes, ensureConsumer } from './consumer.js';
import { parkMessage } from './park.js';
import { Puller, type PulledMessage } from './pull.js';

export interface NatsSourceOptions {
  /** A connection you already have (`nats` 2.x or `@nats-io/transport-node` 3.x). */
  readonly connection: NatsConnection;
  /** The same client's `headers` function, for the headers of parked messages. */
  readonly headers: HeadersFactory;
  /** The JetStream stream read from. */
  readonly stream: string;
  /** The durable pull consumer: created (explicit acks, from the start) when it does not exist. */
  readonly durable: string;
  /** Only these subjects, when creating the consumer; an existing one must filter the same. */
  readonly filterSubject?: string;
  /** Names the source in status and errors; default `nats:<stream>/<durable>`. */
  readonly name?: string;
  /** First token(s) of the default dead-letter subject; default `events`. */
  readonly prefix?: string;
  /**
   * Where parked messages go, as they came plus the reason in `Eventfan-Parked-Reason`; a
   * JetStream stream must capture it (parking waits for its PubAck). Default
   * `<prefix>.deadletter.<durable>`; the consumer may not read it back.
   */
  readonly deadLetterSubject?: string;
  /** Messages per batch handed to the subscription, and per pull; default 256. */
  readonly batchSize?: number;
  /** The consumer's ack wait when this creates it; default 30 000 ms. */
  readonly ackWaitMs?: number;
  /** How long one pull stays open waiting for new messages; default 5 000 ms. */
  readonly pullExpiresMs?: number;
  /** JetStream API calls (consumer info, parking); default 5 000 ms. */
  readonly timeoutMs?: number;
  /** For JetStream domains: `$JS.<domain>.API`; default `$JS.API`. */
  readonly apiPrefix?: string;
}

/** A JetStream subscription source: what `natsSource` returns. */
export type NatsSource = SubscriptionSource;

const ACK = new TextEncoder().encode('+ACK');
const NAK = new TextEncoder().encode('-NAK');

/**
 * A subscription source on a JetStream durable pull consumer. Each message is decoded (binary or
 * structured CloudEvent) to an envelope — one that does not decode is delivered as an error for
 * the subscription to park — and acknowledged only after the subscription handled its batch; a
 * batch it failed is nak'ed, so JetStream redelivers it. Order per stream holds across crashes:
 * when the consumer has messages out that nobody acknowledged (a consumer that died), or a
 * delivery went missing, the source waits one ack wait before it goes on, so that JetStream
 * redelivers those first. Run one instance per durable.
 */
export function natsSource(options: NatsSourceOptions): NatsSource {
  const { connection, stream, durable } = options;
  const name = options.name ?? `nats:${stream}/${durable}`;
  const batchSize = options.batchSize ?? 256;
  const deadLetterSubject =
    options.deadLetterSubject ??
    `${options.prefix ?? 'events'}.deadletter.${subjectToken(durable)}`;
  const problem = publishSubjectProblem(deadLetterSubject);
  if (problem) throw new TypeError(`natsSource "${name}": deadLetterSubject: ${problem}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new TypeError(`natsSource "${name}": batchSize must be a whole number >= 1`);
  }
  const call: ApiCall = {
    connection,
    apiPrefix: options.apiPrefix ?? DEFAULT_API_PREFIX,
    timeoutMs: options.timeoutMs ?? 5_000,
  };
  /** The raw messages of the batch in hand, by position: what parking copies. */
  const inHand = new Map<string, PulledMessage>();
  let closed = false;

  async function setUp(): Promise<number> {
    const info = await ensureConsumer(call, {
      stream,
      durable,
      filterSubject: options.filterSubject,
      ackWaitMs: options.ackWaitMs ?? 30_000,
    });
    const streamInfo = await jsApi<{ config: { subjects?: string[] } }>(
      call,
      `STREAM.INFO.${stream}`,
    );
    if (consumes(info, streamInfo.config.subjects ?? [], deadLetterSubject)) {
      throw new NatsStreamError(
        stream,
        `consumer "${durable}" would read back its own dead letters on "${deadLetterSubject}": pass another deadLetterSubject or a filterSubject that excludes it`,
      );
    }
    return ackWaitMs(info);
  }

  /** Waits until messages someone holds unacknowledged are due again; the next consumer seq. */
  async function settle(waitMs: number, signal: AbortSignal, always: boolean): Promise<number> {
    const before = await consumerInfo(call, stream, durable);
    if (always || before.num_ack_pending > 0) {
      await sleep(waitMs + 100, signal);
      return (await consumerInfo(call, stream, durable)).delivered.consumer_seq;
    }
    return before.delivered.consumer_seq;
  }

  return {
    name,
    async run(deliver, signal) {
      const waitMs = await setUp();
      let last = await settle(waitMs, signal, false);
      const puller = new Puller({
        connection,
        nextSubject: `${call.apiPrefix}.CONSUMER.MSG.NEXT.${stream}.${durable}`,
        batch: batchSize,
        expiresMs: options.pullExpiresMs ?? 5_000,
      });
      puller.start();
      try {
        while (!signal.aborted) {
          await puller.ready(signal);
          if (signal.aborted) break;
          const taken = puller.take(batchSize);
          // A delivery that never came (lost with a connection) must come back before what follows.
          let gap = false;
          const batch: PulledMessage[] = [];
          for (const message of taken) {
            const sequence = deliveryOf(message.reply)?.consumerSequence ?? last + 1;
            if (sequence <= last) continue; // from a pull given up before: it comes again
            if (sequence > last + 1) {
              gap = true;
              break;
            }
            batch.push(message);
            last = sequence;
          }
          if (batch.length > 0) await handOver(batch, deliver);
          if (gap && !signal.aborted) {
            puller.stop();
            last = await settle(waitMs, signal, true);
            puller.start();
          }
        }
      } finally {
        puller.stop();
        await connection.flush().catch(() => {});
      }
    },
    async park(incoming, reason) {
      const message = inHand.get(incoming.position);
      if (!message) {
        throw new Error(`natsSource "${name}": no message at ${incoming.position} in hand to park`);
      }
      await parkMessage(call, {
        subject: deadLetterSubject,
        message,
        reason,
        headers: options.headers,
        from: { stream, durable, position: incoming.position },
      });
    },
    async lag() {
      return (await consumerInfo(call, stream, durable)).num_pending;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (!connection.isClosed()) await connection.flush().catch(() => {});
    },
  };

  async function handOver(
    batch: readonly PulledMessage[],
    deliver: (batch: readonly Incoming[]) => Promise<void>,
  ): Promise<void> {
    inHand.clear();
    const incoming = batch.map((message) => {
      const decoded = decode(message);
      inHand.set(decoded.position, message);
      return decoded;
    });
    try {
      await deliver(incoming);
    } catch (error) {
      // In order, so JetStream redelivers them in order, now rather than after the ack wait.
      for (const message of batch) reply(message, NAK);
      throw error;
    } finally {
      inHand.clear();
    }
    for (const message of batch) reply(message, ACK);
  }

  function reply(message: PulledMessage, body: Uint8Array): void {
    if (message.reply && !connection.isClosed()) connection.publish(message.reply, body);
  }
}

function decode(message: PulledMessage): Incoming {
  const position = String(deliveryOf(message.reply)?.streamSequence ?? '');
  try {
    const event = fromNatsRecord({ data: message.data, headers: message.headers });
    return { envelope: toEnvelope(event), position };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)), position };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
