import {
  BrokerUnavailable,
  ConcurrencyConflict,
  EventfanError,
  InvalidEvent,
} from '@eventfan/core';
import { describeCause } from '@eventfan/core/adapter';

/** The stream was tombstoned (hard-deleted): it can never be written or read again. */
export class StreamDeleted extends EventfanError {
  constructor(
    readonly stream: string,
    readonly target: string,
    options?: { cause?: unknown },
  ) {
    super(
      'STREAM_DELETED',
      `Stream "${stream}" at "${target}" is deleted (tombstoned): it cannot be written or read again. Use another stream id.`,
      options,
    );
  }
}

/** The server refused the user the client connects as. */
export class AccessDenied extends EventfanError {
  constructor(
    readonly stream: string,
    readonly target: string,
    options?: { cause?: unknown },
  ) {
    super(
      'ACCESS_DENIED',
      `Access to stream "${stream}" at "${target}" was denied: give the client's user the rights to it (stream ACL or $admins).`,
      options,
    );
  }
}

/** The node is a follower and the call required the leader. */
export class NotLeader extends EventfanError {
  constructor(
    readonly stream: string,
    readonly target: string,
    /** `host:port` of the leader when the node said so. */
    readonly leader: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      'NOT_LEADER',
      `The node behind "${target}" is not the leader, so stream "${stream}" was not written${leader ? `; the leader is ${leader}` : ''}. Connect with nodePreference=leader (the client reconnects to the leader on the next call), then retry.`,
      { ...options, retriable: true },
    );
  }
}

/** What a failed call was about, for the error that replaces the client's. */
export interface CallSite {
  readonly target: string;
  readonly stream: string;
  /** For appends: the generation the stream was expected at. */
  readonly expectedGeneration?: number;
  /** For appends: the outcome of a lost call is unknown, and the message says how to resolve it. */
  readonly writing?: boolean;
}

/** The shape both client packages give their errors: a `type` string, plus details per type. */
interface ClientError {
  readonly type?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly actualVersion?: unknown;
  readonly actualState?: unknown;
  readonly maxAppendSize?: unknown;
  readonly leader?: { readonly address?: unknown; readonly port?: unknown };
}

/** gRPC status codes, for errors that reach us unconverted (the client's feature probe). */
const GRPC = {
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/**
 * The typed eventfan error for an error of either client package; errors already typed pass
 * through. Unknown failures become an EventfanError naming the stream, with the original as cause.
 */
export function fromClientError(error: unknown, site: CallSite): Error {
  if (error instanceof EventfanError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as ClientError;
  const cause = { cause: error };
  const kind = typeof e.type === 'string' ? e.type : grpcKind(e.code);
  const lost = site.writing
    ? ' The append may or may not have been written: retry with the same envelopes, EventStoreDB drops event ids it already has.'
    : '';
  switch (kind) {
    case 'wrong-expected-version':
      if (site.expectedGeneration === undefined) break;
      return new ConcurrencyConflict(
        site.stream,
        site.expectedGeneration,
        actualGeneration(e.actualVersion ?? e.actualState),
        site.target,
      );
    case 'stream-deleted':
      return new StreamDeleted(site.stream, site.target, cause);
    case 'access-denied':
      return new AccessDenied(site.stream, site.target, cause);
    case 'not-leader':
      return new NotLeader(site.stream, site.target, leaderOf(e.leader), cause);
    case 'maximum-append-size-exceeded':
      return new InvalidEvent(
        `the append is larger than the server's maximum append size${typeof e.maxAppendSize === 'number' ? ` of ${e.maxAppendSize} bytes` : ''}: nothing was written`,
        { target: site.target, stream: site.stream },
      );
    case 'unavailable':
    case 'cancelled':
      return new BrokerUnavailable(
        site.target,
        `stream "${site.stream}": ${describeCause(error)}.${lost}`,
        cause,
      );
    case 'deadline-exceeded':
    case 'timeout':
      return new BrokerUnavailable(
        site.target,
        `stream "${site.stream}": ${describeCause(error)}.${lost}`,
        {
          ...cause,
          timedOut: true,
        },
      );
  }
  return new EventfanError(
    'ESDB_REQUEST_FAILED',
    `EventStoreDB request for stream "${site.stream}" at "${site.target}" failed: ${describeCause(error)}`,
    cause,
  );
}

/** The stream's generation from a client's "actual version": its last revision + 1, 0 for none. */
function actualGeneration(actual: unknown): number | undefined {
  if (actual === 'no_stream') return 0;
  if (typeof actual === 'bigint') return actual < 0n ? 0 : Number(actual) + 1;
  return undefined;
}

function grpcKind(code: unknown): string | undefined {
  switch (code) {
    case GRPC.UNAVAILABLE:
      return 'unavailable';
    case GRPC.DEADLINE_EXCEEDED:
      return 'deadline-exceeded';
    case GRPC.PERMISSION_DENIED:
    case GRPC.UNAUTHENTICATED:
      return 'access-denied';
    default:
      return undefined;
  }
}

function leaderOf(leader: ClientError['leader']): string | undefined {
  return leader && typeof leader.address === 'string'
    ? `${leader.address}:${String(leader.port)}`
    : undefined;
}
