import { randomUUID } from 'node:crypto';
import { CheckpointConflict, ConcurrencyConflict, InvalidEvent } from '@eventfan/core';
import type { Checkpoint, Checkpoints, LogPosition } from '@eventfan/core';
import type { EsdbCheckpointClient, EsdbExpectedRevision, EsdbRecordedEvent } from './client.js';
import { fromClientError } from './errors.js';
import { recordsOf } from './page.js';

/** The event type of a saved checkpoint; `$` so that readers leaving out system events skip it. */
export const CHECKPOINT_EVENT_TYPE = '$eventfan-checkpoint';

export interface EsdbCheckpointsOptions {
  /** An `EventStoreDBClient` or `KurrentDBClient`. */
  readonly client: EsdbCheckpointClient;
  /** Stream of key `k` is `<streamPrefix><k>`; default `$eventfan-checkpoint-` (see the README). */
  readonly streamPrefix?: string;
  /** Saves a stream keeps (`$maxCount`, set on its first save); default 5, 0 for all. */
  readonly keep?: number;
  /** Names these checkpoints in errors; default `esdb-checkpoints`. */
  readonly name?: string;
}

/**
 * core's Checkpoints in EventStoreDB: one stream per key, one event per save, version = stream
 * revision + 1, and every save an append with the expected revision. Of two relays (or
 * subscriptions) on one key, the second to save gets CheckpointConflict and stands down.
 */
export function esdbCheckpoints(options: EsdbCheckpointsOptions): Checkpoints {
  const { client } = options;
  if (!client || typeof client.appendToStream !== 'function') {
    throw new TypeError(
      'esdbCheckpoints: `client` must be an EventStoreDBClient or KurrentDBClient',
    );
  }
  const prefix = options.streamPrefix ?? '$eventfan-checkpoint-';
  const target = options.name ?? 'esdb-checkpoints';
  const keep = options.keep ?? 5;
  if (!Number.isSafeInteger(keep) || keep < 0) {
    throw new TypeError(`esdbCheckpoints: keep must be a whole number >= 0, got ${keep}`);
  }

  return {
    async load(key: string): Promise<Checkpoint | undefined> {
      const stream = prefix + key;
      const reading = client.readStream(stream, {
        fromRevision: 'end',
        direction: 'backwards',
        maxCount: 1,
      });
      for await (const event of recordsOf(reading, { target, stream })) {
        return { position: positionIn(target, event), version: Number(event.revision) + 1 };
      }
      return undefined;
    },

    async save(key: string, position: LogPosition, expectedVersion: number): Promise<number> {
      if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
        throw new TypeError(
          `esdbCheckpoints: expectedVersion must be >= 0, got ${expectedVersion}`,
        );
      }
      const stream = prefix + key;
      const expected: EsdbExpectedRevision =
        expectedVersion === 0 ? 'no_stream' : BigInt(expectedVersion - 1);
      let next: bigint;
      try {
        // A fresh id per save: with one derived from key and version, two relays saving the same
        // version would look like one retried append, and the server would accept both.
        const record = {
          id: randomUUID(),
          contentType: 'application/json' as const,
          type: CHECKPOINT_EVENT_TYPE,
          data: { position },
          metadata: undefined,
        };
        const options = { expectedRevision: expected, streamState: expected };
        ({ nextExpectedRevision: next } = await client.appendToStream(stream, [record], options));
      } catch (error) {
        const site = { target, stream, expectedGeneration: expectedVersion, writing: true };
        const mapped = fromClientError(error, site);
        // The stream's generation is the number of saves: the version, so the mapping carries over.
        if (mapped instanceof ConcurrencyConflict) {
          throw new CheckpointConflict(key, expectedVersion, mapped.actualGeneration);
        }
        throw mapped;
      }
      if (expectedVersion === 0 && keep > 0) {
        try {
          await client.setStreamMetadata(stream, { maxCount: keep });
        } catch (error) {
          throw fromClientError(error, { target, stream: `$$${stream}`, writing: true });
        }
      }
      return Number(next) + 1;
    },
  };
}

function positionIn(target: string, event: EsdbRecordedEvent): LogPosition {
  const position = (event.data as { position?: unknown } | null)?.position;
  if (event.type === CHECKPOINT_EVENT_TYPE && typeof position === 'string') return position;
  throw new InvalidEvent(
    'the latest record of the checkpoint stream is not an eventfan checkpoint',
    {
      target,
      stream: event.streamId,
      type: event.type,
    },
  );
}
