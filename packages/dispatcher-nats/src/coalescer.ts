import { randomUUID } from 'node:crypto';
import type {
  NatsConnection,
  NatsInbound,
  NatsStatus,
  NatsSubscription,
  PubAck,
} from './client.js';
import type { Outgoing } from './encode.js';
import { JetStreamApiRefusal } from './jetstream-api.js';

export interface CoalescerOptions {
  readonly connection: NatsConnection;
  /** How long a request waits for its PubAcks; then each one missing fails with `onTimeout`. */
  readonly timeoutMs: number;
  /** Extra time to gather publishes before a request goes out; 0: the next turn of the loop. */
  readonly lingerMs: number;
  readonly onTimeout: (subject: string) => Error;
  readonly onClosed: (subject: string) => Error;
}

/** A publish handed over, until JetStream answers it. */
interface Waiting {
  readonly subject: string;
  readonly settle: (outcome: PubAck | Error) => void;
  request?: Request;
}

/** The publishes that went out together: one timer for all of their PubAcks. */
interface Request {
  readonly members: string[];
  open: number;
  timer?: ReturnType<typeof setTimeout>;
}

/** JetStream's "no stream captures this subject" arrives as a 503 status reply. */
class NoRespondersError extends Error {
  override readonly name = 'NoRespondersError';
}

/**
 * Gathers what concurrent dispatches hand over within one turn of the event loop (or `lingerMs`)
 * and sends it as one request: the messages are written together, each with a reply subject on
 * one inbox of the publisher's own, and their PubAcks are awaited together under one timer. Each
 * publish still gets its own answer, as soon as it comes, so a message JetStream refuses or never
 * answers fails only its own dispatch. Messages leave in the order they were handed over, on one
 * connection, and JetStream stores a connection's publishes to a stream in the order they came.
 */
export class PublishCoalescer {
  readonly #options: CoalescerOptions;
  #queue: { readonly item: Outgoing; readonly expect?: number; readonly waiting: Waiting }[] = [];
  readonly #waiting = new Map<string, Waiting>();
  #inbox: string | undefined;
  #subscription: NatsSubscription | undefined;
  #status: { stop?(): void } | undefined;
  #scheduled = false;
  #next = 0;

  constructor(options: CoalescerOptions) {
    this.#options = options;
  }

  /** Resolves with the PubAck, or with the error to report (never rejects: callers branch). */
  send(item: Outgoing, expectLastSubjectSequence?: number): Promise<PubAck | Error> {
    return new Promise((settle) => {
      const waiting: Waiting = { subject: item.subject, settle };
      this.#queue.push(
        expectLastSubjectSequence === undefined
          ? { item, waiting }
          : { item, expect: expectLastSubjectSequence, waiting },
      );
      if (this.#scheduled) return;
      this.#scheduled = true;
      if (this.#options.lingerMs > 0) setTimeout(this.#drain, this.#options.lingerMs);
      else setImmediate(this.#drain);
    });
  }

  /** No reply is awaited any more; the inbox subscription ends. */
  close(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    this.#status?.stop?.();
    this.#status = undefined;
    this.#inbox = undefined;
  }

  readonly #drain = (): void => {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    const { connection } = this.#options;
    if (connection.isClosed()) {
      for (const { waiting } of queue) waiting.settle(this.#options.onClosed(waiting.subject));
      return;
    }
    const inbox = this.#ensureInbox();
    const request: Request = { members: [], open: queue.length };
    for (const { item, expect, waiting } of queue) {
      const token = (this.#next++).toString(36);
      waiting.request = request;
      request.members.push(token);
      this.#waiting.set(token, waiting);
      if (expect !== undefined) {
        item.headers.set('Nats-Expected-Last-Subject-Sequence', String(expect));
      }
      try {
        connection.publish(item.subject, item.data, {
          headers: item.headers,
          reply: `${inbox}${token}`,
        });
      } catch (error) {
        this.#settle(token, error instanceof Error ? error : new Error(String(error)));
      }
    }
    if (request.open > 0) {
      request.timer = setTimeout(() => this.#expire(request), this.#options.timeoutMs);
    }
  };

  #ensureInbox(): string {
    if (this.#inbox !== undefined) return this.#inbox;
    const { connection } = this.#options;
    const prefix = connection.options?.inboxPrefix || '_INBOX';
    const inbox = `${prefix}.${randomUUID().replaceAll('-', '')}.`;
    this.#subscription = connection.subscribe(`${inbox}*`, {
      callback: (error, message) => {
        if (error) return; // the subscription's own failure: each request times out instead
        this.#settle(message.subject.slice(inbox.length), answerOf(message));
      },
    });
    this.#inbox = inbox;
    this.#watchPermissions();
    return inbox;
  }

  /** A publish the connection's user may not make fails each waiting one to that subject. */
  #watchPermissions(): void {
    const status = this.#options.connection.status?.();
    if (!status) return;
    this.#status = status;
    void (async () => {
      for await (const event of status) {
        const denied = deniedPublish(event);
        if (!denied) continue;
        for (const [token, waiting] of this.#waiting) {
          if (waiting.subject === denied.subject) this.#settle(token, denied.error);
        }
      }
    })().catch(() => {});
  }

  #settle(token: string, outcome: PubAck | Error): void {
    const waiting = this.#waiting.get(token);
    if (!waiting) return; // answered after its request timed out: the dispatch was told
    this.#waiting.delete(token);
    const { request } = waiting;
    if (request && --request.open === 0) clearTimeout(request.timer);
    waiting.settle(outcome);
  }

  #expire(request: Request): void {
    for (const token of request.members) {
      const waiting = this.#waiting.get(token);
      if (waiting) this.#settle(token, this.#options.onTimeout(waiting.subject));
    }
  }
}

const decoder = new TextDecoder();

/** The subject of a publish permission violation, and the error to report for it. */
function deniedPublish(event: NatsStatus): { subject: string; error: Error } | undefined {
  if (event.type !== 'error') return undefined;
  const v3 = event.error as { operation?: unknown; subject?: unknown } | undefined;
  if (v3 instanceof Error && v3.operation === 'publish' && typeof v3.subject === 'string') {
    return { subject: v3.subject, error: v3 };
  }
  const context = event.permissionContext;
  if (context?.operation !== 'publish') return undefined;
  const error = Object.assign(
    new Error(`Permissions Violation for Publish to "${context.subject}"`),
    {
      code: 'PERMISSIONS_VIOLATION',
    },
  );
  return { subject: context.subject, error };
}

/** A PubAck, JetStream's refusal, or no responders (no stream captures the subject). */
function answerOf(message: NatsInbound): PubAck | Error {
  if (message.data.length === 0 && message.headers?.code === 503) {
    return new NoRespondersError('no responders: no JetStream stream captured the subject');
  }
  try {
    const answer = JSON.parse(decoder.decode(message.data)) as Partial<PubAck> & {
      error?: ConstructorParameters<typeof JetStreamApiRefusal>[1];
    };
    if (answer.error) return new JetStreamApiRefusal('publish', answer.error);
    if (typeof answer.stream !== 'string' || typeof answer.seq !== 'number') {
      return new Error(`not a PubAck: ${decoder.decode(message.data).slice(0, 200)}`);
    }
    return { stream: answer.stream, seq: answer.seq, duplicate: answer.duplicate === true };
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
