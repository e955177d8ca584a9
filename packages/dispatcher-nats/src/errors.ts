import { EventfanError } from '@eventfan/core';

export type NatsPublishErrorCode =
  /** No JetStream stream captures the subject: create one (see `ensureStream`). */
  | 'NATS_NO_STREAM'
  /** The connection's user may not publish to the subject. */
  | 'NATS_PERMISSION_DENIED'
  /** JetStream answered the publish with an error (stream full, sealed, message too big…). */
  | 'NATS_JETSTREAM_REFUSED'
  /** The client failed in a way this package does not recognise; see `cause`. */
  | 'NATS_PUBLISH_FAILED';

/**
 * A publish NATS refused: names the subject and the cause. A refusal a retry will not cure (no
 * stream, no permission, JetStream's refusal) is `retriable: false` — fix that first; only a
 * failure this package does not recognise (`NATS_PUBLISH_FAILED`) may pass on a retry.
 */
export class NatsPublishError extends EventfanError {
  constructor(
    code: NatsPublishErrorCode,
    readonly target: string,
    readonly subject: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(code, `Target "${target}" could not publish to subject "${subject}": ${detail}`, {
      cause: options?.cause,
      retriable: code === 'NATS_PUBLISH_FAILED',
    });
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
