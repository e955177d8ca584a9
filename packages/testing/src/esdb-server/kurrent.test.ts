import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKWARDS,
  END,
  KurrentDBClient,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
} from '@kurrent/kurrentdb-client';
import { startEsdbTestServer, type EsdbTestServer } from './server.js';
import { failure } from './failure.fixture.js';

/*
 * The KurrentDB client (its reads go through a native gRPC stack of their own) against the
 * EventStoreDB test server (emulator). Its own file: the two client packages cannot share a process.
 */

let server: EsdbTestServer;
let client: KurrentDBClient;

beforeAll(async () => {
  server = await startEsdbTestServer({ client: '@kurrent/kurrentdb-client' });
  client = KurrentDBClient.connectionString(server.url.replace('esdb://', 'kurrentdb://'));
});

afterAll(async () => {
  await client.dispose();
  await server.close();
});

const stream = () => `kurrent-${randomUUID()}`;
const event = (n: number) => jsonEvent({ type: 'spec.happened', data: { n } });

async function read(name: string, options: Parameters<KurrentDBClient['readStream']>[1] = {}) {
  const found: unknown[] = [];
  for await (const resolved of client.readStream(name, options))
    found.push((resolved.event?.data as { n: unknown }).n);
  return found;
}

describe('EventStoreDB test server with the KurrentDB client', () => {
  it('given no stream, when events are appended and read both ways, then they come back in order', async () => {
    const name = stream();
    const result = await client.appendToStream(name, [event(0), event(1), event(2)], {
      streamState: 'no_stream',
    });
    expect(result.nextExpectedRevision).toBe(2n);
    expect(await read(name)).toEqual([0, 1, 2]);
    expect(await read(name, { direction: BACKWARDS, fromRevision: END, maxCount: 2 })).toEqual([
      2, 1,
    ]);
  });

  it('given a stream at revision 0, when appending expecting revision 5, then WrongExpectedVersionError says both', async () => {
    const name = stream();
    await client.appendToStream(name, event(0), { streamState: 'no_stream' });
    const error = await failure(() => client.appendToStream(name, event(1), { streamState: 5n }));
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ expectedState: 5n, actualState: 0n });
  });

  it('given a missing and a tombstoned stream, when read, then StreamNotFoundError and StreamDeletedError', async () => {
    expect(await failure(() => read(stream()))).toBeInstanceOf(StreamNotFoundError);
    const name = stream();
    await client.appendToStream(name, event(0));
    await client.tombstoneStream(name);
    expect(await failure(() => read(name))).toBeInstanceOf(StreamDeletedError);
  });
});
