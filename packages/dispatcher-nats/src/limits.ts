import type { NatsConnection } from './client.js';

/** nats-server's default `max_control_line`, for a server whose INFO does not announce it. */
export const DEFAULT_MAX_CONTROL_LINE = 4096;

/** What one publish must keep to, as the connected server says. */
export interface MessageLimits {
  /** Bytes of a message with its headers; undefined while the server has not said. */
  readonly maxPayload: number | undefined;
  /** Bytes of the arguments of `HPUB <subject> [<reply>] <header bytes> <total bytes>`. */
  readonly maxControlLine: number;
  /** Bytes the reply subject takes on that line (with its space); 0 when a publish has none. */
  readonly replyBytes: number;
}

/**
 * The limits of a publish on `connection`. A request (a JetStream publish) carries a reply subject
 * of `<inboxPrefix>.<nuid>.<token>`: 22 characters each for the nuid and, at most, the token.
 */
export function limitsOf(connection: NatsConnection, withReply: boolean): MessageLimits {
  const inboxPrefix = connection.options?.inboxPrefix || '_INBOX';
  return {
    maxPayload: connection.info?.max_payload,
    maxControlLine: connection.info?.max_control_line ?? DEFAULT_MAX_CONTROL_LINE,
    replyBytes: withReply ? Buffer.byteLength(inboxPrefix) + 1 + 22 + 1 + 22 + 1 : 0,
  };
}

/**
 * Why a message of `bytes` (headers included, an upper bound) to `subject` is more than the server
 * takes, or undefined. A control line over the limit is worse than a refusal: the server closes
 * the connection, and every other publish in flight on it fails.
 */
export function limitProblem(
  subject: string,
  bytes: number,
  limits: MessageLimits,
): string | undefined {
  const shown = subject.length > 80 ? `${subject.slice(0, 80)}…` : subject;
  if (limits.maxPayload !== undefined && bytes > limits.maxPayload) {
    return `the NATS message for subject "${shown}" would be ${bytes} bytes with headers, over the server's max_payload of ${limits.maxPayload} bytes`;
  }
  const subjectBytes = Buffer.byteLength(subject);
  // Both sizes are at most `bytes`, each after a space.
  const line = subjectBytes + limits.replyBytes + 2 * (String(bytes).length + 1);
  if (line > limits.maxControlLine) {
    return `subject "${shown}" is ${subjectBytes} bytes, so its publish line would be ${line} bytes, over the server's max_control_line of ${limits.maxControlLine} (the server would close the connection); use a shorter stream id, prefix or subject`;
  }
  return undefined;
}
