import type { ServerWritableStream } from '@grpc/grpc-js';
import type { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb.js';
import { allFilter } from './all-filter.js';
import type { LogPosition, MemoryLog, RecordedEvent } from './memory-log.js';
import type { Protocol } from './protocol.js';
import { rpcErrors } from './rpc-errors.js';
import { readResponse, streamIdentifier, streamName } from './wire.js';

export type ReadCall = ServerWritableStream<ReadReq, ReadResp>;

/** Reads of one stream or of `$all` (Streams.Read without the subscription option). */
export async function serveRead(
  call: ReadCall,
  protocol: Protocol,
  log: MemoryLog,
  options: ReadReq.Options,
): Promise<void> {
  const { streams } = protocol;
  const direction =
    options.getReadDirection() === streams.ReadReq.Options.ReadDirection.BACKWARDS
      ? 'backwards'
      : 'forwards';
  const count = Math.min(Number(options.getCount()), Number.MAX_SAFE_INTEGER);
  const structuredIds = options.getUuidOption()?.hasStructured() ?? false;
  const all = options.getAll();
  if (all) {
    const filter = allFilter(options);
    if (filter instanceof Error) throw filter;
    const events = log.readAll(
      allPosition(all),
      direction,
      count,
      (e) => filter?.matches(e) ?? true,
    );
    return sendAll(call, protocol, events, structuredIds);
  }
  const source = options.getStream();
  if (!source) throw rpcErrors.invalidArgument('Read names neither a stream nor $all');
  const stream = streamName(source.getStreamIdentifier());
  const from = source.hasStart() ? 'start' : source.hasEnd() ? 'end' : Number(source.getRevision());
  const outcome = log.read(stream, from, direction, count);
  if (outcome.kind === 'stream-deleted') throw rpcErrors.streamDeleted(stream);
  if (outcome.kind === 'not-found') {
    const notFound = new streams.ReadResp.StreamNotFound().setStreamIdentifier(
      streamIdentifier(protocol, stream),
    );
    call.write(new streams.ReadResp().setStreamNotFound(notFound));
    call.end();
    return;
  }
  return sendAll(call, protocol, outcome.events, structuredIds);
}

/** Where a read of `$all` starts; the commit position says it (the test server's prepare is the same). */
export function allPosition(all: ReadReq.Options.AllOptions): LogPosition {
  if (all.hasStart()) return 'start';
  if (all.hasEnd()) return 'end';
  return Number(all.getPosition()?.getCommitPosition() ?? 0);
}

async function sendAll(
  call: ReadCall,
  protocol: Protocol,
  events: Iterable<RecordedEvent>,
  structuredIds: boolean,
): Promise<void> {
  for (const event of events) {
    if (call.cancelled || call.destroyed) return;
    if (!call.write(readResponse(protocol, event, structuredIds))) await drained(call);
  }
  if (!call.cancelled && !call.destroyed) call.end();
}

/** Resolves when the reader has taken what was sent, or is gone. */
export function drained(call: ReadCall): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      call.off('cancelled', done);
      call.off('close', done);
      resolve();
    };
    call.on('drain', done);
    call.on('cancelled', done);
    call.on('close', done);
  });
}
