import { InvalidEvent } from '@eventfan/core';
import type { Snapshot } from '@eventfan/core';
import { findNonJson } from '@eventfan/core/adapter';
import type { EsdbEventData, EsdbRecordedEvent } from './client.js';

/** The event type of snapshot records in the companion stream. */
export const SNAPSHOT_EVENT_TYPE = 'eventfan.snapshot';

/** A snapshot as the record kept in the companion stream `snapshots`. */
export function snapshotRecord(
  target: string,
  snapshots: string,
  snapshot: Snapshot,
): EsdbEventData {
  const bad = findNonJson(snapshot.state, '$.state');
  if (bad) {
    throw new InvalidEvent(`snapshot state is not JSON: ${bad}`, {
      target,
      stream: snapshots,
      generation: snapshot.generation,
    });
  }
  const { stream, generation, time, state } = snapshot;
  return {
    // A snapshot is a cache: writing one twice does no harm, so its id need not be stable.
    id: globalThis.crypto.randomUUID(),
    contentType: 'application/json',
    type: SNAPSHOT_EVENT_TYPE,
    data: { stream, generation, time, state },
    metadata: undefined,
  };
}

/** The snapshot a record of the companion stream holds; InvalidEvent when it holds none. */
export function parseSnapshot(
  target: string,
  snapshots: string,
  stream: string,
  event: EsdbRecordedEvent,
): Snapshot {
  const data = event.data as Partial<Snapshot> | undefined;
  const valid =
    event.type === SNAPSHOT_EVENT_TYPE &&
    typeof data === 'object' &&
    data !== null &&
    Number.isSafeInteger(data.generation) &&
    typeof data.time === 'string' &&
    'state' in data;
  if (!valid) {
    throw new InvalidEvent(`the latest record of the snapshot stream is not an eventfan snapshot`, {
      target,
      stream: snapshots,
      type: event.type,
    });
  }
  return {
    stream,
    generation: data.generation as number,
    time: data.time as string,
    state: data.state,
  };
}
