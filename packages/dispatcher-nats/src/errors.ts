import { EventfanError } from '@eventfan/core';

export type NatsDispatchErrorCode =
  /** No JetStream stream captures the subject: create one (see `ensureStream`). */
  | 'NATS_NO_STREAM'
  /** The connection's user may not publish to the subject. */
  | 'NATS_PERMISSION_DENIED'
  /** JetStream answered the publish with an error (stream full, sealed, message too big…). */
  | 'NATS_JETSTREAM_REFUSED'
  /** The client failed in a way this package does not recognise; see `cause`. */
  | 'NATS_PUBLISH_FAILED';

/** A publish NATS refused for a reason a retry will not cure; names the subject and the cause. */
export class NatsDispatchError extends EventfanError {
  constructor(
    code: NatsDispatchErrorCode,
    readonly target: string,
    readonly subject: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(code, `Target "${target}" could not publish to subject "${subject}": ${detail}`, options);
  }
}

/** A JetStream stream that `ensureStream` found configured other than asked, or could not make. */
export class NatsStreamError extends EventfanError {
  constructor(
    readonly stream: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('NATS_STREAM', `JetStream stream "${stream}": ${detail}`, options);
  }
}
