import {
  EventfanError,
  OperationAborted,
  type Envelope,
  type PublishContext,
  type Publisher,
  type Receipt,
} from '@eventfan/core';
import { assertOpen, assertPreparedBy, partialFailure, withDeadline } from '@eventfan/core/adapter';
import type { Outgoing } from './encode.js';
import { settings, type CoreNatsPublisherOptions, type Settings } from './options.js';
import { isNatsPrepared, prepareBatch, type NatsPrepared } from './prepare.js';
import { connectionClosed, noAnswer, publishError } from './publish-error.js';

export type CoreNatsPosition = { readonly subject: string };

/** A core NATS publisher: what `coreNatsPublisher` returns. */
export type CoreNatsPublisher = Publisher<CoreNatsPosition, NatsPrepared>;

/**
 * Core NATS publish: **at most once**. The flush only proves the server read the messages; whoever
 * was not subscribed at that moment never sees them, and nothing drops a re-sent id unless a
 * JetStream stream captures the subject (the `Nats-Msg-Id` header is set for that case).
 */
export function coreNatsPublisher(options: CoreNatsPublisherOptions): CoreNatsPublisher {
  return new CorePublisher(options);
}

class CorePublisher implements CoreNatsPublisher {
  readonly name: string;
  readonly #settings: Settings;
  #closed = false;

  constructor(options: CoreNatsPublisherOptions) {
    this.#settings = settings(options);
    this.name = this.#settings.name;
  }

  prepare(envelopes: readonly Envelope[]): NatsPrepared {
    return prepareBatch(envelopes, this.#settings, { closed: this.#closed, withReply: false });
  }

  async publish(
    prepared: NatsPrepared,
    context: PublishContext = { attempt: 1 },
  ): Promise<Receipt<CoreNatsPosition>> {
    assertOpen(this.name, this.#closed);
    assertPreparedBy({ name: this.name, kind: 'NATS' }, prepared, isNatsPrepared);
    const { connection } = this.#settings;
    const { stream, messages, envelopes } = prepared;
    const subject = (messages[0] as Outgoing).subject;
    if (context.signal?.aborted) {
      throw new OperationAborted(this.name, stream, context.signal.reason);
    }
    if (connection.isClosed()) throw connectionClosed(this.name, subject);
    let handed = 0;
    let refused: unknown;
    for (const item of messages) {
      try {
        connection.publish(item.subject, item.data, { headers: item.headers });
        handed++;
      } catch (error) {
        refused = error;
        break;
      }
    }
    const at = { target: this.name, subject, stream, timeoutMs: this.#settings.timeoutMs };
    if (handed > 0) {
      try {
        await this.#flush(stream, subject, context.signal);
      } catch (error) {
        // Unconfirmed: some messages may have reached the server, none is known to have.
        throw error instanceof EventfanError ? error : await publishError(error, at);
      }
    }
    if (refused !== undefined) {
      const cause = await publishError(refused, at);
      throw partialFailure(this.name, envelopes, (_, i) => i < handed, cause);
    }
    return {
      target: this.name,
      events: messages.map((item) => ({
        id: item.envelope.id,
        generation: item.envelope.generation,
        duplicate: false,
        position: { subject: item.subject },
      })),
    };
  }

  /** Flushes what was published, then refuses more; the connection stays the caller's. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#settings.connection.isClosed()) return;
    // Every publish already had its answer; a flush failing now has no caller to tell.
    await this.#flush('', '', undefined).catch(() => {});
  }

  /** The server confirms it read everything published so far, within the timeout. */
  #flush(stream: string, subject: string, signal: AbortSignal | undefined): Promise<void> {
    const { timeoutMs } = this.#settings;
    return withDeadline(this.#settings.connection.flush(), {
      timeoutMs,
      onTimeout: () => noAnswer(this.name, subject, timeoutMs),
      signal,
      target: this.name,
      stream,
    });
  }
}
