import type { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb.js';
import type { Expected, RecordedEvent } from './memory-log.js';
import type { Protocol } from './protocol.js';

/** Conversions between protocol messages and the memory log's plain values. */

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An event id as lower-case text, from either wire form; undefined when it is no UUID. */
export function uuidText(uuid: UUID | undefined): string | undefined {
  if (!uuid) return undefined;
  if (uuid.hasStructured()) {
    const structured = uuid.getStructured();
    if (!structured) return undefined;
    const hex = (bits: string) => BigInt.asUintN(64, BigInt(bits)).toString(16).padStart(16, '0');
    const all =
      hex(structured.getMostSignificantBits()) + hex(structured.getLeastSignificantBits());
    return `${all.slice(0, 8)}-${all.slice(8, 12)}-${all.slice(12, 16)}-${all.slice(16, 20)}-${all.slice(20)}`;
  }
  const text = uuid.getString().toLowerCase();
  return UUID_TEXT.test(text) ? text : undefined;
}

/** An event id in the wire form the reader asked for. */
export function uuidMessage(protocol: Protocol, id: string, structured: boolean): UUID {
  const uuid = new protocol.shared.UUID();
  if (!structured) return uuid.setString(id);
  const hex = id.replaceAll('-', '');
  const signed = (part: string) => BigInt.asIntN(64, BigInt(`0x${part}`)).toString();
  return uuid.setStructured(
    new protocol.shared.UUID.Structured()
      .setMostSignificantBits(signed(hex.slice(0, 16)))
      .setLeastSignificantBits(signed(hex.slice(16))),
  );
}

export function streamName(identifier: StreamIdentifier | undefined): string {
  return Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
}

export function streamIdentifier(protocol: Protocol, name: string): StreamIdentifier {
  return new protocol.shared.StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));
}

/** The four ways a write states what it expects, common to Append, BatchAppend, Delete, Tombstone. */
export interface ExpectationOptions {
  hasAny(): boolean;
  hasNoStream(): boolean;
  hasStreamExists(): boolean;
}

export function expectation(
  options: ExpectationOptions,
  revision: () => string | undefined,
): Expected | undefined {
  if (options.hasAny()) return 'any';
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  const exact = revision();
  return exact === undefined ? undefined : Number(exact);
}

/** A stored event as the server reads it out: type, content type and creation time as metadata. */
export function readResponse(protocol: Protocol, event: RecordedEvent, structuredIds: boolean) {
  const { streams } = protocol;
  const recorded = new streams.ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidMessage(protocol, event.id, structuredIds))
    .setStreamIdentifier(streamIdentifier(protocol, event.stream))
    .setStreamRevision(event.revision.toString())
    .setCommitPosition(String(event.position))
    .setPreparePosition(String(event.position))
    .setData(event.data)
    .setCustomMetadata(event.metadata);
  recorded
    .getMetadataMap()
    .set('type', event.type)
    .set('content-type', event.contentType)
    .set('created', event.created.toString());
  const readEvent = new streams.ReadResp.ReadEvent()
    .setEvent(recorded)
    .setCommitPosition(String(event.position));
  return new streams.ReadResp().setEvent(readEvent);
}

/** A checkpoint of a filtered subscription to $all: how far the server has looked. */
export function checkpointResponse(protocol: Protocol, position: number) {
  const { streams } = protocol;
  const at = String(position);
  return new streams.ReadResp().setCheckpoint(
    new streams.ReadResp.Checkpoint().setCommitPosition(at).setPreparePosition(at),
  );
}
