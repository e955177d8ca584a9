import {
  DispatchIncomplete,
  type DispatchContext,
  type Dispatcher,
  type Envelope,
  type Receipt,
} from '@eventfan/core';
import type { NatsConnection } from './client.js';
import { settings, type CoreNatsDispatcherOptions, type Settings } from './options.js';
import { prepareBatch } from './prepare.js';
import { publishError } from './publish-error.js';

export type CoreNatsPosition = { readonly subject: string };

/**
 * Core NATS publish: **at most once**. The flush only proves the server read the messages; whoever
 * was not subscribed at that moment never sees them, and nothing drops a re-sent id unless a
 * JetStream stream captures the subject (the `Nats-Msg-Id` header is set for that case).
 */
export class CoreNatsDispatcher implements Dispatcher<CoreNatsPosition> {
  readonly name: string;
  readonly role = 'publisher' as const;
  readonly #connection: NatsConnection;
  readonly #settings: Settings;
  #closed = false;

  constructor(options: CoreNatsDispatcherOptions) {
    this.#settings = settings(options);
    this.name = this.#settings.name;
    this.#connection = options.connection;
  }

  async dispatch(
    envelopes: readonly Envelope[],
    context: DispatchContext,
  ): Promise<Receipt<CoreNatsPosition>> {
    const out = prepareBatch(envelopes, context, this.#settings, this.#connection, this.#closed);
    let handed = 0;
    let refused: unknown;
    for (const item of out) {
      try {
        item.headers.set('Nats-Msg-Id', item.envelope.id);
        this.#connection.publish(item.subject, item.data, { headers: item.headers });
        handed++;
      } catch (error) {
        refused = error;
        break;
      }
    }
    const subject = (out[0] as (typeof out)[number]).subject;
    const flushed = handed > 0 ? await this.#flush() : undefined;
    const at = {
      target: this.name,
      subject,
      stream: context.stream,
      timeoutMs: this.#settings.timeoutMs,
    };
    // Unconfirmed: some messages may have reached the server, none is known to have.
    if (flushed !== undefined) throw await publishError(flushed, at);
    if (refused !== undefined) {
      const error = await publishError(refused, at);
      if (handed === 0) throw error;
      const delivered = out
        .slice(0, handed)
        .map((o) => ({ id: o.envelope.id, generation: o.envelope.generation }));
      throw new DispatchIncomplete(
        this.name,
        context.stream,
        delivered,
        out.slice(handed).map((o) => o.envelope.id),
        error,
      );
    }
    return {
      target: this.name,
      events: out.map((item) => ({
        id: item.envelope.id,
        generation: item.envelope.generation,
        duplicate: false,
        position: { subject: item.subject },
      })),
    };
  }

  /** Flushes what was published, then closes the dispatcher (the connection stays the caller's). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#connection.isClosed()) await this.#flush();
  }

  /** Resolves with the error when the server did not confirm it read everything in time. */
  async #flush(): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Error>((resolve) => {
      timer = setTimeout(
        () => resolve(Object.assign(new Error('flush timed out'), { name: 'TimeoutError' })),
        this.#settings.timeoutMs,
      );
    });
    try {
      return await Promise.race([
        this.#connection.flush().then(
          () => undefined,
          (error: unknown) => error ?? new Error('flush failed'),
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
