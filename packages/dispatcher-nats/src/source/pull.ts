import { randomUUID } from 'node:crypto';
import type { HeaderValue } from '@eventfan/cloudevents';
import type { NatsConnection, NatsSubscription } from '../client.js';

/** A message a pull brought: a stored event (reply `$JS.ACK…`) or a status (no data, a code). */
export interface PulledMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly reply?: string | undefined;
  readonly headers?:
    | (Iterable<readonly [string, HeaderValue]> & {
        readonly code?: number;
        readonly description?: string;
      })
    | undefined;
}

export interface PullOptions {
  readonly connection: NatsConnection;
  /** `$JS.API.CONSUMER.MSG.NEXT.<stream>.<durable>` */
  readonly nextSubject: string;
  readonly batch: number;
  readonly expiresMs: number;
}

const encoder = new TextEncoder();

/**
 * Pull requests to a durable consumer, one at a time, on an inbox of its own: the messages wait
 * in `buffer`, and a new pull goes out once the last one ended and at most one batch is waiting,
 * so memory stays within two batches. A pull the server never ends (a lost connection) is given
 * up after its expiry and a second more.
 */
export class Puller {
  readonly buffer: PulledMessage[] = [];
  readonly #options: PullOptions;
  #subscription: NatsSubscription | undefined;
  #inbox = '';
  /** Messages the current pull may still bring; 0 when none is out. */
  #remaining = 0;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined;
  #failure: Error | undefined;

  constructor(options: PullOptions) {
    this.#options = options;
  }

  start(): void {
    this.#inbox = `${this.#options.connection.options?.inboxPrefix || '_INBOX'}.${randomUUID().replaceAll('-', '')}`;
    this.#subscription = this.#options.connection.subscribe(this.#inbox, {
      callback: (error, message) => {
        if (error) this.#failure = error;
        else this.#receive(message as PulledMessage);
        this.#wake?.();
      },
    });
    this.#pull();
  }

  /** Anything a pull brings after this is dropped (unacknowledged, so redelivered later). */
  stop(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    clearTimeout(this.#deadline);
    this.#remaining = 0;
    this.buffer.length = 0;
    this.#wake?.();
  }

  /** Resolves once a message waits, or the signal fired; rejects when the consumer failed. */
  async ready(signal: AbortSignal): Promise<void> {
    while (this.buffer.length === 0 && !signal.aborted) {
      if (this.#failure) throw this.#failure;
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener('abort', done);
          this.#wake = undefined;
          resolve();
        };
        this.#wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** Up to `max` waiting messages, in the order they came; the next pull goes out if due. */
  take(max: number): PulledMessage[] {
    const taken = this.buffer.splice(0, max);
    this.#pull();
    return taken;
  }

  #pull(): void {
    const { batch, expiresMs, connection } = this.#options;
    if (!this.#subscription || this.#remaining > 0 || this.buffer.length > batch) return;
    if (connection.isClosed()) return;
    this.#remaining = batch;
    const body = JSON.stringify({ batch, expires: expiresMs * 1_000_000 });
    connection.publish(this.#options.nextSubject, encoder.encode(body), { reply: this.#inbox });
    clearTimeout(this.#deadline);
    this.#deadline = setTimeout(() => this.#ended(), expiresMs + 1_000);
  }

  #receive(message: PulledMessage): void {
    const code = message.data.length === 0 ? message.headers?.code : undefined;
    if (code === undefined || code === 0) {
      this.buffer.push(message);
      if (--this.#remaining <= 0) this.#ended();
      return;
    }
    if (code === 100) return; // heartbeat
    // 404/408: nothing (more) before the pull expired; 409: the server ended it (limits, leader).
    if (code === 409 && /consumer (is )?deleted/i.test(message.headers?.description ?? '')) {
      this.#failure = new Error(`the consumer was deleted (${message.headers?.description})`);
    }
    this.#ended();
  }

  #ended(): void {
    clearTimeout(this.#deadline);
    this.#remaining = 0;
    this.#pull();
  }
}
