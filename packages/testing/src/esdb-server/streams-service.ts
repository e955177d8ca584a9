import type { ServerErrorResponse } from '@grpc/grpc-js';
import type { IStreamsServer } from '@eventstore/db-client/generated/streams_grpc_pb.js';
import type {
  AppendReq,
  BatchAppendReq,
  BatchAppendResp,
} from '@eventstore/db-client/generated/streams_pb.js';
import type { Expected, MemoryLog, ProposedEvent, WriteOutcome } from './memory-log.js';
import type { EsdbFault, EsdbOperation, FaultPlan } from './faults.js';
import type { Status } from '@eventstore/db-client/generated/status_pb.js';
import type { Protocol } from './protocol.js';
import { batchStatuses, rpcErrors } from './rpc-errors.js';
import { unsupportedMetadata } from './stream-metadata.js';
import { serveRead, type ReadCall } from './reads.js';
import { serveSubscription } from './subscription.js';
import { expectation, streamIdentifier, streamName, uuidText } from './wire.js';

export interface StreamsContext {
  readonly protocol: Protocol;
  readonly log: MemoryLog;
  readonly faults: FaultPlan;
  /** Bytes of event data one append may carry (EventStoreDB's default is 1 MiB). */
  readonly maxAppendSize: number;
  /** Where a "not leader" answer says the leader is. */
  readonly leader: { readonly host: string; readonly port: number };
  /** Stops the server at once, as a crash would. */
  crash(): void;
  /** The closers of the catch-up subscriptions open now. */
  readonly subscriptions: Set<() => void>;
}

type Refusal = Exclude<EsdbFault, 'crash-after-commit'>;
type ProposedMessage = AppendReq.ProposedMessage | BatchAppendReq.ProposedMessage;

/**
 * The Streams service over the memory log: Read (a stream, `$all`, catch-up subscriptions), Append,
 * BatchAppend, Delete and Tombstone.
 */
export function streamsService(ctx: StreamsContext): IStreamsServer {
  const { protocol, log } = ctx;
  const { streams } = protocol;
  const Empty = protocol.shared.Empty;
  const statuses = batchStatuses(protocol);

  /** A planned refusal as the error a unary or streaming call ends with. */
  function refusal(fault: Refusal, operation: EsdbOperation): ServerErrorResponse {
    switch (fault) {
      case 'not-leader':
        return rpcErrors.notLeader(ctx.leader.host, ctx.leader.port);
      case 'access-denied':
        return rpcErrors.accessDenied();
      case 'not-ready':
        return rpcErrors.notReady();
      case 'timeout':
        return rpcErrors.timeout(operation);
    }
  }

  /** A planned refusal inside BatchAppend: a status per batch, except "not leader", which ends the call. */
  function batchRefusal(fault: Refusal): Status | ServerErrorResponse {
    switch (fault) {
      case 'not-leader':
        return rpcErrors.notLeader(ctx.leader.host, ctx.leader.port);
      case 'access-denied':
        return statuses.accessDenied();
      case 'not-ready':
        return statuses.notReady();
      case 'timeout':
        return statuses.timeout();
    }
  }

  function proposed(message: ProposedMessage): ProposedEvent | ServerErrorResponse {
    const id = uuidText(message.getId());
    if (id === undefined) return rpcErrors.invalidArgument(`event id is not a valid UUID`);
    const metadata = message.getMetadataMap();
    const type = metadata.get('type');
    if (type === undefined) return rpcErrors.requiredMetadataMissing('type');
    const contentType = metadata.get('content-type');
    if (contentType === undefined) return rpcErrors.requiredMetadataMissing('content-type');
    return {
      id,
      type,
      contentType,
      data: message.getData_asU8(),
      metadata: message.getCustomMetadata_asU8(),
    };
  }

  function appendResponse(
    expected: Expected,
    outcome: Exclude<WriteOutcome, { kind: 'stream-deleted' }>,
  ) {
    if (outcome.kind === 'written') {
      const success = new streams.AppendResp.Success();
      if (outcome.revision < 0) success.setNoStream(new Empty());
      else success.setCurrentRevision(String(outcome.revision));
      if (outcome.position === undefined) success.setNoPosition(new Empty());
      else {
        const at = String(outcome.position);
        success.setPosition(
          new streams.AppendResp.Position().setCommitPosition(at).setPreparePosition(at),
        );
      }
      return new streams.AppendResp().setSuccess(success);
    }
    const wrong = new streams.AppendResp.WrongExpectedVersion();
    if (outcome.current < 0) wrong.setCurrentNoStream(new Empty());
    else wrong.setCurrentRevision(String(outcome.current));
    if (expected === 'any') wrong.setExpectedAny(new Empty());
    else if (expected === 'no_stream') wrong.setExpectedNoStream(new Empty());
    else if (expected === 'stream_exists') wrong.setExpectedStreamExists(new Empty());
    else wrong.setExpectedRevision(String(expected));
    return new streams.AppendResp().setWrongExpectedVersion(wrong);
  }

  return {
    append(call, callback) {
      let target: { stream: string; expected: Expected } | undefined;
      const events: ProposedEvent[] = [];
      let size = 0;
      let done = false;
      const fail = (error: ServerErrorResponse) => {
        if (done) return;
        done = true;
        callback(error);
      };
      call.on('error', () => {
        done = true;
      });
      call.on('data', (req: AppendReq) => {
        if (done) return;
        const options = req.getOptions();
        if (options) {
          const expected = expectation(options, () => options.getRevision());
          if (expected === undefined)
            return fail(rpcErrors.invalidArgument('Append options carry no expected revision'));
          target = { stream: streamName(options.getStreamIdentifier()), expected };
          return;
        }
        const message = req.getProposedMessage();
        if (!target || !message)
          return fail(rpcErrors.invalidArgument('Append must start with its options'));
        const event = proposed(message);
        if (event instanceof Error) return fail(event);
        size += event.data.length;
        if (size > ctx.maxAppendSize)
          return fail(rpcErrors.maxAppendSizeExceeded(ctx.maxAppendSize));
        events.push(event);
      });
      call.on('end', () => {
        if (done) return;
        if (!target) return fail(rpcErrors.invalidArgument('Append sent no options'));
        const unsupported = unsupportedMetadata(target.stream, events);
        if (unsupported) return fail(rpcErrors.unimplemented(unsupported));
        const fault = ctx.faults.take('append');
        if (fault && fault !== 'crash-after-commit') return fail(refusal(fault, 'append'));
        const outcome = log.append(target.stream, target.expected, events);
        if (fault === 'crash-after-commit') return ctx.crash();
        done = true;
        if (outcome.kind === 'stream-deleted')
          return callback(rpcErrors.streamDeleted(target.stream));
        callback(null, appendResponse(target.expected, outcome));
      });
    },

    batchAppend(call) {
      const pending = new Map<
        string,
        { stream: string; expected: Expected; events: ProposedEvent[]; size: number }
      >();
      call.on('error', () => pending.clear());
      call.on('end', () => call.end());
      call.on('data', (req: BatchAppendReq) => {
        const correlation = req.getCorrelationId();
        const key = uuidText(correlation);
        if (key === undefined)
          return call.emit(
            'error',
            rpcErrors.invalidArgument('BatchAppend needs a correlation id'),
          );
        const answer = (stream: string, fill: (resp: BatchAppendResp) => void) => {
          const resp = new streams.BatchAppendResp()
            .setCorrelationId(correlation)
            .setStreamIdentifier(streamIdentifier(protocol, stream));
          fill(resp);
          call.write(resp);
        };
        const options = req.getOptions();
        if (options) {
          const expected = expectation(options, () => options.getStreamPosition());
          const stream = streamName(options.getStreamIdentifier());
          if (expected === undefined) {
            return call.emit(
              'error',
              rpcErrors.invalidArgument('BatchAppend options carry no expected revision'),
            );
          }
          pending.set(key, { stream, expected, events: [], size: 0 });
        }
        const batch = pending.get(key);
        if (!batch) return;
        for (const message of req.getProposedMessagesList()) {
          const event = proposed(message);
          if (event instanceof Error) {
            pending.delete(key);
            return call.emit('error', event);
          }
          batch.size += event.type.length + event.data.length + event.metadata.length;
          batch.events.push(event);
        }
        if (batch.size > ctx.maxAppendSize) {
          pending.delete(key);
          return answer(batch.stream, (r) =>
            r.setError(statuses.maxAppendSizeExceeded(ctx.maxAppendSize)),
          );
        }
        if (!req.getIsFinal()) return;
        pending.delete(key);
        const unsupported = unsupportedMetadata(batch.stream, batch.events);
        if (unsupported)
          return answer(batch.stream, (r) => r.setError(statuses.unimplemented(unsupported)));
        const fault = ctx.faults.take('append');
        if (fault && fault !== 'crash-after-commit') {
          const refused = batchRefusal(fault);
          if (refused instanceof Error) return call.emit('error', refused);
          return answer(batch.stream, (r) => r.setError(refused));
        }
        const outcome = log.append(batch.stream, batch.expected, batch.events);
        if (fault === 'crash-after-commit') return ctx.crash();
        answer(batch.stream, (r) => {
          if (outcome.kind === 'stream-deleted')
            r.setError(statuses.streamDeleted(streamIdentifier(protocol, batch.stream)));
          else if (outcome.kind === 'wrong-expected-version') {
            r.setError(statuses.wrongExpectedVersion(batch.expected, outcome.current));
          } else {
            const success = new streams.BatchAppendResp.Success();
            if (outcome.revision < 0) success.setNoStream(new protocol.Empty());
            else success.setCurrentRevision(String(outcome.revision));
            if (outcome.position === undefined) success.setNoPosition(new protocol.Empty());
            else {
              const at = String(outcome.position);
              success.setPosition(
                new protocol.shared.AllStreamPosition()
                  .setCommitPosition(at)
                  .setPreparePosition(at),
              );
            }
            r.setSuccess(success);
          }
        });
      });
    },

    read(call) {
      void answerRead(call).catch((error: unknown) => {
        call.emit(
          'error',
          error instanceof Error ? error : rpcErrors.invalidArgument(String(error)),
        );
      });
    },

    delete(call, callback) {
      const options = call.request.getOptions();
      const expected = options && expectation(options, () => options.getRevision());
      if (!options || expected === undefined)
        return callback(rpcErrors.invalidArgument('Delete needs options'));
      const stream = streamName(options.getStreamIdentifier());
      remove(
        'delete',
        stream,
        expected,
        (position) => {
          const resp = new streams.DeleteResp();
          if (position === undefined) return callback(null, resp.setNoPosition(new Empty()));
          const at = String(position);
          callback(
            null,
            resp.setPosition(
              new streams.DeleteResp.Position().setCommitPosition(at).setPreparePosition(at),
            ),
          );
        },
        callback,
      );
    },

    tombstone(call, callback) {
      const options = call.request.getOptions();
      const expected = options && expectation(options, () => options.getRevision());
      if (!options || expected === undefined)
        return callback(rpcErrors.invalidArgument('Tombstone needs options'));
      const stream = streamName(options.getStreamIdentifier());
      remove(
        'tombstone',
        stream,
        expected,
        (position) => {
          const resp = new streams.TombstoneResp();
          if (position === undefined) return callback(null, resp.setNoPosition(new Empty()));
          const at = String(position);
          callback(
            null,
            resp.setPosition(
              new streams.TombstoneResp.Position().setCommitPosition(at).setPreparePosition(at),
            ),
          );
        },
        callback,
      );
    },
  };

  function remove(
    operation: 'delete' | 'tombstone',
    stream: string,
    expected: Expected,
    reply: (position: number | undefined) => void,
    fail: (error: ServerErrorResponse) => void,
  ): void {
    const fault = ctx.faults.take(operation);
    if (fault && fault !== 'crash-after-commit') return fail(refusal(fault, operation));
    const outcome =
      operation === 'delete' ? log.delete(stream, expected) : log.tombstone(stream, expected);
    if (fault === 'crash-after-commit') return ctx.crash();
    if (outcome.kind === 'stream-deleted') return fail(rpcErrors.streamDeleted(stream));
    // The server reports both kinds of delete as "Delete" when the expected version is wrong.
    if (outcome.kind === 'wrong-expected-version')
      return fail(rpcErrors.wrongExpectedVersion('Delete', stream, expected, outcome.current));
    reply(outcome.position);
  }

  async function answerRead(call: ReadCall): Promise<void> {
    const options = call.request.getOptions();
    if (!options) throw rpcErrors.invalidArgument('Read needs options');
    const fault = ctx.faults.take('read');
    if (fault && fault !== 'crash-after-commit') throw refusal(fault, 'read');
    if (options.hasSubscription())
      return serveSubscription(call, protocol, log, options, ctx.subscriptions);
    return serveRead(call, protocol, log, options);
  }
}
