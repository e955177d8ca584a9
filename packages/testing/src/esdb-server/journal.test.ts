import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EventStoreDBClient,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  jsonEvent,
} from '@eventstore/db-client';
import { startEsdbTestServer } from './server.js';
import { failure } from './failure.fixture.js';

/*
 * The test server (emulator) with a data file: a server started on the file of one that is gone
 * answers as that one would have.
 */

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eventfan-esdb-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `use` against a server on the data file, with a client of its own, then closes both. */
async function onFile<T>(dataFile: string, use: (client: EventStoreDBClient) => Promise<T>) {
  const server = await startEsdbTestServer({ dataFile });
  const client = EventStoreDBClient.connectionString(server.url);
  try {
    return await use(client);
  } finally {
    await client.dispose();
    await server.close();
  }
}

/** Every record of `$all` as a client reads it. */
async function all(client: EventStoreDBClient) {
  const records = [];
  for await (const { event } of client.readAll({ fromPosition: START, maxCount: 10_000 })) {
    if (event) records.push(event);
  }
  return records;
}

describe('EventStoreDB test server (emulator) with a data file', () => {
  it('given writes of every kind, when a server starts on the file, then it has them at the same revisions and positions, and a repeat of stored ids is recognised', async () => {
    const dataFile = join(dir, 'log.jsonl');
    const kept = `kept-${randomUUID()}`;
    const deleted = `deleted-${randomUUID()}`;
    const gone = `gone-${randomUUID()}`;
    const ids = [randomUUID(), randomUUID()];
    const before = await onFile(dataFile, async (client) => {
      await client.appendToStream(
        kept,
        ids.map((id, n) => jsonEvent({ id, type: 'journal.kept', data: { n } })),
      );
      await client.setStreamMetadata(kept, { maxCount: 10 });
      for (const stream of [deleted, gone]) {
        await client.appendToStream(stream, jsonEvent({ type: 'journal.gone', data: {} }));
      }
      await client.deleteStream(deleted);
      await client.tombstoneStream(gone);
      return all(client);
    });

    await onFile(dataFile, async (client) => {
      expect(await all(client)).toEqual(before);
      const repeat = await client.appendToStream(
        kept,
        ids.map((id, n) => jsonEvent({ id, type: 'journal.kept', data: { n } })),
        { expectedRevision: 'no_stream' },
      );
      expect(repeat.nextExpectedRevision).toBe(1n);
      expect((await client.getStreamMetadata(kept)).metadata).toEqual({ maxCount: 10 });
      expect(await failure(() => readWhole(client, deleted))).toBeInstanceOf(StreamNotFoundError);
      expect(await failure(() => readWhole(client, gone))).toBeInstanceOf(StreamDeletedError);
      const next = await client.appendToStream(
        kept,
        jsonEvent({ type: 'journal.kept', data: { n: 2 } }),
      );
      expect(next.position?.commit).toBeGreaterThan(before.at(-1)?.position?.commit ?? 0n);
    });
  });
});

/** Reads a stream whole, to find out whether it can be read. */
async function readWhole(client: EventStoreDBClient, stream: string) {
  for await (const resolved of client.readStream(stream)) void resolved;
}
