import { BrokerUnavailable, InvalidEvent, type EventfanError } from '@eventfan/core';
import { NatsPublishError } from './errors.js';
import { classify } from './failure.js';
import { streamCapturing, type ApiCall } from './jetstream-api.js';

export interface FailedPublish {
  readonly target: string;
  readonly subject: string;
  readonly stream: string;
  readonly timeoutMs: number;
  /** Set in JetStream mode: lets "no responders" be told apart (no stream vs. no JetStream). */
  readonly api?: ApiCall;
}

/**
 * The typed error for a publish the client rejected: BrokerUnavailable for what a retry may cure
 * (timeouts, a closed connection, JetStream not answering), NatsPublishError for what it will not
 * (no stream, no permission, JetStream refusing the message). Wrong-last-sequence is the caller's.
 */
export async function publishError(error: unknown, at: FailedPublish): Promise<EventfanError> {
  const { target, subject } = at;
  const failure = classify(error);
  const cause = { cause: error };
  switch (failure.kind) {
    case 'no-responders':
      return at.api
        ? diagnoseNoResponders(error, at, at.api)
        : new BrokerUnavailable(target, `no responders on subject "${subject}"`, cause);
    case 'timeout':
      return noAnswer(target, subject, at.timeoutMs, error);
    case 'closed':
      return connectionClosed(target, subject, error);
    case 'permission':
      return new NatsPublishError(
        'NATS_PERMISSION_DENIED',
        target,
        subject,
        "permission denied: the connection's user may not publish to this subject",
        cause,
      );
    case 'max-payload':
      return new InvalidEvent(
        `the NATS message for subject "${subject}" is over the server's max_payload`,
        { target, stream: at.stream },
      );
    case 'jetstream':
      return new NatsPublishError(
        'NATS_JETSTREAM_REFUSED',
        target,
        subject,
        `JetStream refused the message: ${failure.description} (JetStream error ${failure.errCode})`,
        cause,
      );
    case 'other':
      return new NatsPublishError(
        'NATS_PUBLISH_FAILED',
        target,
        subject,
        error instanceof Error ? error.message : String(error),
        cause,
      );
  }
}

/** The server did not acknowledge (JetStream) or confirm the flush (core) within the timeout. */
export function noAnswer(
  target: string,
  subject: string,
  timeoutMs: number,
  cause?: unknown,
): BrokerUnavailable {
  return new BrokerUnavailable(
    target,
    `no acknowledgement for subject "${subject}" within ${timeoutMs} ms`,
    { cause, timedOut: true },
  );
}

/** The connection is closed or closing: nothing more leaves on it. */
export function connectionClosed(
  target: string,
  subject: string,
  cause?: unknown,
): BrokerUnavailable {
  return new BrokerUnavailable(
    target,
    `the NATS connection is closed or closing; nothing more can be published to "${subject}"`,
    { cause },
  );
}

/** No JetStream stream captures the subject: nothing will take the events until one does. */
export function noStream(target: string, subject: string, cause?: unknown): NatsPublishError {
  return new NatsPublishError(
    'NATS_NO_STREAM',
    target,
    subject,
    'no JetStream stream captures this subject; create one (ensureStream) whose subjects include it',
    { cause },
  );
}

/** A JetStream publish nobody answered: no stream for the subject, or JetStream not there at all. */
async function diagnoseNoResponders(
  error: unknown,
  at: FailedPublish,
  api: ApiCall,
): Promise<EventfanError> {
  const { target, subject } = at;
  let stream: string | undefined;
  try {
    stream = await streamCapturing(api, subject);
  } catch (lookup) {
    return new BrokerUnavailable(
      target,
      `JetStream did not answer for subject "${subject}" (is the server started with JetStream, -js?): ${lookup instanceof Error ? lookup.message : String(lookup)}`,
      { cause: error },
    );
  }
  if (stream === undefined) return noStream(target, subject, error);
  return new BrokerUnavailable(
    target,
    `JetStream stream "${stream}" did not answer for subject "${subject}" (no responders)`,
    { cause: error },
  );
}
