import { Metadata, status, type ServerErrorResponse } from '@grpc/grpc-js';
import type { Status } from '@eventstore/db-client/generated/status_pb.js';
import type { Code } from '@eventstore/db-client/generated/code_pb.js';
import type { StreamIdentifier } from '@eventstore/db-client/generated/shared_pb.js';
import type { Expected } from './memory-log.js';
import type { Protocol } from './protocol.js';

/*
 * Errors as EventStoreDB sends them, so the client raises its own error classes: unary and
 * streaming calls fail with a gRPC status whose trailers carry `exception` and its details; batch
 * appends answer a google.rpc.Status whose details pack a typed message.
 */

function rpcError(
  code: status,
  details: string,
  trailers: Record<string, string> = {},
): ServerErrorResponse {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return Object.assign(new Error(details), { code, details, metadata });
}

/** How the server writes an expected revision in messages: -2 any, -1 no stream, -4 stream exists. */
export function expectedVersionNumber(expected: Expected): number {
  if (expected === 'any') return -2;
  if (expected === 'no_stream') return -1;
  if (expected === 'stream_exists') return -4;
  return expected;
}

const unimplementedMessage = (what: string) =>
  `${what} is not implemented by the EventStoreDB test server (emulator)`;

export const rpcErrors = {
  streamDeleted: (stream: string) =>
    rpcError(status.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, {
      exception: 'stream-deleted',
      'stream-name': stream,
    }),
  wrongExpectedVersion: (
    operation: string,
    stream: string,
    expected: Expected,
    current: number,
  ) => {
    const expectedVersion = expectedVersionNumber(expected);
    return rpcError(
      status.FAILED_PRECONDITION,
      `${operation} failed due to WrongExpectedVersion. Stream: ${stream}, Expected version: ${expectedVersion}, Actual version: ${current}`,
      {
        exception: 'wrong-expected-version',
        'stream-name': stream,
        'expected-version': String(expectedVersion),
        'actual-version': String(current),
      },
    );
  },
  maxAppendSizeExceeded: (max: number) =>
    rpcError(status.INVALID_ARGUMENT, `Maximum Append Size of ${max} Exceeded.`, {
      exception: 'maximum-append-size-exceeded',
      'maximum-append-size': String(max),
    }),
  requiredMetadataMissing: (property: string) =>
    rpcError(status.INVALID_ARGUMENT, `Required Metadata Property '${property}' is missing`, {
      exception: 'missing-required-metadata-property',
      'required-metadata-properties': 'type,content-type',
    }),
  accessDenied: () =>
    rpcError(status.PERMISSION_DENIED, 'Access Denied', { exception: 'access-denied' }),
  notLeader: (host: string, port: number) =>
    rpcError(status.NOT_FOUND, 'Leader info available', {
      exception: 'not-leader',
      'leader-endpoint-host': host,
      'leader-endpoint-port': String(port),
    }),
  notReady: () => rpcError(status.UNAVAILABLE, 'Server Is Not Ready'),
  timeout: (operation: string) =>
    rpcError(status.ABORTED, `Operation timed out: ${operation} did not complete in time`),
  invalidArgument: (what: string) => rpcError(status.INVALID_ARGUMENT, what),
  unimplemented: (what: string) => rpcError(status.UNIMPLEMENTED, unimplementedMessage(what)),
};

/** The google.rpc.Status answers of BatchAppend. */
export function batchStatuses(protocol: Protocol) {
  const { shared, status: statusPb, Any, Empty } = protocol;
  const packed = (
    code: status,
    message: string,
    typeName: string,
    detail: { serializeBinary(): Uint8Array },
  ): Status => {
    const any = new Any();
    any.pack(detail.serializeBinary(), typeName);
    // google.rpc.Code and gRPC status numbers are the same.
    return new statusPb.Status()
      .setCode(code as number as Code)
      .setMessage(message)
      .setDetails(any);
  };
  return {
    wrongExpectedVersion(expected: Expected, current: number): Status {
      const detail = new shared.WrongExpectedVersion();
      if (current < 0) detail.setCurrentNoStream(new Empty());
      else detail.setCurrentStreamRevision(String(current));
      if (expected === 'any') detail.setExpectedAny(new Empty());
      else if (expected === 'no_stream') detail.setExpectedNoStream(new Empty());
      else if (expected === 'stream_exists') detail.setExpectedStreamExists(new Empty());
      else detail.setExpectedStreamPosition(String(expected));
      return packed(
        status.ALREADY_EXISTS,
        'WrongExpectedVersion',
        'event_store.client.WrongExpectedVersion',
        detail,
      );
    },
    streamDeleted(identifier: StreamIdentifier): Status {
      const detail = new shared.StreamDeleted().setStreamIdentifier(identifier);
      return packed(status.NOT_FOUND, 'StreamDeleted', 'event_store.client.StreamDeleted', detail);
    },
    accessDenied: (): Status =>
      packed(
        status.PERMISSION_DENIED,
        'AccessDenied',
        'event_store.client.AccessDenied',
        new shared.AccessDenied(),
      ),
    timeout: (): Status =>
      packed(
        status.DEADLINE_EXCEEDED,
        'Timeout',
        'event_store.client.Timeout',
        new shared.Timeout(),
      ),
    maxAppendSizeExceeded: (max: number): Status =>
      packed(
        status.INVALID_ARGUMENT,
        'MaximumAppendSizeExceeded',
        'event_store.client.MaximumAppendSizeExceeded',
        new shared.MaximumAppendSizeExceeded().setMaxappendsize(max),
      ),
    /** A write the test server cannot honour; the client raises an UnknownError with the message. */
    unimplemented: (what: string): Status =>
      packed(
        status.UNIMPLEMENTED,
        unimplementedMessage(what),
        'google.protobuf.Empty',
        new Empty(),
      ),
    /** What the server answers when it cannot take writes now: no typed detail, only a message. */
    notReady: (): Status =>
      packed(status.OK, 'Server Is Not Ready', 'google.protobuf.Empty', new Empty()),
  };
}
