import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  MaxAppendSizeExceededError,
  NotLeaderError,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
  type AppendExpectedRevision,
  type ReadStreamOptions,
} from '@eventstore/db-client';
import type { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb.js';
import { startEsdbTestServer, type EsdbTestServer } from './server.js';
import { TEST_SERVER_VERSION } from './features-service.js';
import { failure } from './failure.fixture.js';

/*
 * Spec tables for the EventStoreDB test server (emulator), driven through the official client, so
 * each row checks what the client makes of the server's answer. Every append row runs twice: over
 * BatchAppend (what the client uses when the server offers it) and over Append (what it uses when a
 * call carries credentials).
 */

let server: EsdbTestServer;
let client: EventStoreDBClient;

beforeAll(async () => {
  server = await startEsdbTestServer();
  client = EventStoreDBClient.connectionString(server.url);
});

afterAll(async () => {
  await client.dispose();
  await server.close();
});

type Path = 'batch append' | 'append';
const PATHS: readonly Path[] = ['batch append', 'append'];
/** Credentials make the client use Append; the insecure test server ignores them, as ESDB does. */
const via = (path: Path) =>
  path === 'append' ? { credentials: { username: 'admin', password: 'changeit' } } : {};

const stream = () => `spec-${randomUUID()}`;
const event = (n: number, id: string = randomUUID()) =>
  jsonEvent({ id, type: 'spec.happened', data: { n } });

async function append(
  name: string,
  events: ReturnType<typeof event>[],
  expectedRevision: AppendExpectedRevision,
  path: Path,
) {
  return client.appendToStream(name, events, { expectedRevision, ...via(path) });
}

async function read(name: string, options: ReadStreamOptions = {}) {
  const found: { revision: bigint; n: unknown; id: string }[] = [];
  for await (const resolved of client.readStream(name, options)) {
    const e = resolved.event;
    if (e?.isJson) found.push({ revision: e.revision, n: (e.data as { n: unknown }).n, id: e.id });
  }
  return found;
}

/** How a stream stands before the append of a row. */
type Given = 'no stream' | '2 events' | 'soft-deleted after 2 events' | 'tombstoned';

async function given(state: Given, path: Path): Promise<string> {
  const name = stream();
  if (state === 'no stream') return name;
  await append(name, [event(0), event(1)], 'no_stream', path);
  if (state === 'soft-deleted after 2 events') await client.deleteStream(name);
  if (state === 'tombstoned') await client.tombstoneStream(name);
  return name;
}

describe.each(PATHS)('EventStoreDB test server — expected revision on %s', (path) => {
  const rows: [Given, AppendExpectedRevision, bigint | 'wrong' | 'deleted'][] = [
    ['no stream', 'no_stream', 0n],
    ['no stream', 'any', 0n],
    ['no stream', 'stream_exists', 'wrong'],
    ['no stream', 0n, 'wrong'],
    ['2 events', 'no_stream', 'wrong'],
    ['2 events', 'any', 2n],
    ['2 events', 'stream_exists', 2n],
    ['2 events', 1n, 2n],
    ['2 events', 0n, 'wrong'],
    ['2 events', 5n, 'wrong'],
    ['soft-deleted after 2 events', 'no_stream', 2n],
    ['soft-deleted after 2 events', 'any', 2n],
    ['soft-deleted after 2 events', 1n, 2n],
    ['soft-deleted after 2 events', 0n, 'wrong'],
    ['tombstoned', 'any', 'deleted'],
    ['tombstoned', 1n, 'deleted'],
  ];

  it.each(rows)(
    'given %s, when one event is appended expecting %s, then %s',
    async (state, expected, outcome) => {
      const name = await given(state, path);
      const appending = () => append(name, [event(9)], expected, path);
      if (outcome === 'deleted') {
        const error = await failure(appending);
        expect(error).toBeInstanceOf(StreamDeletedError);
        expect((error as StreamDeletedError).streamName).toBe(name);
      } else if (outcome === 'wrong') {
        const error = await failure(appending);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        const wrong = error as WrongExpectedVersionError;
        expect(wrong.streamName).toBe(name);
        expect(wrong.expectedVersion).toBe(expected);
        expect(wrong.actualVersion).toBe(state === 'no stream' ? 'no_stream' : 1n);
      } else {
        const result = await appending();
        expect(result.success).toBe(true);
        expect(result.nextExpectedRevision).toBe(outcome);
        expect((await read(name)).at(-1)).toMatchObject({ n: 9, revision: outcome });
      }
    },
  );

  it('given a stream recreated after a soft delete, when appending "no stream" again, then it is a wrong expected version', async () => {
    const name = await given('soft-deleted after 2 events', path);
    await append(name, [event(2)], 'no_stream', path);
    expect(await failure(() => append(name, [event(3)], 'no_stream', path))).toBeInstanceOf(
      WrongExpectedVersionError,
    );
    expect(await read(name)).toEqual([expect.objectContaining({ revision: 2n, n: 2 })]);
  });
});

describe.each(PATHS)('EventStoreDB test server — duplicate event ids on %s', (path) => {
  const ids = () => [randomUUID(), randomUUID()];

  const rows: [string, AppendExpectedRevision, 'same revision' | 'wrong'][] = [
    ['the same ids at the same expected revision', 'no_stream', 'same revision'],
    ['the same ids expecting any revision', 'any', 'same revision'],
    ['the same ids expecting an existing stream', 'stream_exists', 'same revision'],
  ];

  it.each(rows)(
    'given two events written, when %s are appended again, then the write is idempotent',
    async (_, expected) => {
      const name = stream();
      const [a, b] = ids() as [string, string];
      const first = await append(name, [event(0, a), event(1, b)], 'no_stream', path);
      const again = await append(name, [event(0, a), event(1, b)], expected, path);
      expect(again.success).toBe(true);
      expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
      expect(again.position).toEqual(first.position);
      expect((await read(name)).map((e) => e.id)).toEqual([a, b]);
    },
  );

  it('given two events written, when a batch repeats the first id and adds a new one, then it is a wrong expected version', async () => {
    const name = stream();
    const [a, b] = ids() as [string, string];
    await append(name, [event(0, a), event(1, b)], 'no_stream', path);
    const error = await failure(() => append(name, [event(0, a), event(5)], 'no_stream', path));
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect((await read(name)).map((e) => e.id)).toEqual([a, b]);
  });

  it('given two events written, when only the second id is re-sent at its own revision, then it is idempotent', async () => {
    const name = stream();
    const [a, b] = ids() as [string, string];
    await append(name, [event(0, a), event(1, b)], 'no_stream', path);
    const again = await append(name, [event(1, b)], 0n, path);
    expect(again.nextExpectedRevision).toBe(1n);
    expect(await read(name)).toHaveLength(2);
  });

  it('given an id written to another stream, when it is appended here, then it is a new event here', async () => {
    const id = randomUUID();
    await append(stream(), [event(0, id)], 'any', path);
    const name = stream();
    const result = await append(name, [event(0, id)], 'any', path);
    expect(result.nextExpectedRevision).toBe(0n);
    expect((await read(name)).map((e) => e.id)).toEqual([id]);
  });
});

describe('EventStoreDB test server — reads', () => {
  let name: string;
  beforeAll(async () => {
    name = stream();
    await append(
      name,
      Array.from({ length: 10 }, (_, n) => event(n)),
      'no_stream',
      'batch append',
    );
  });

  const rows: [string, ReadStreamOptions, number[]][] = [
    [
      'forwards from the start',
      { direction: FORWARDS, fromRevision: START },
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    ],
    ['forwards from revision 7', { direction: FORWARDS, fromRevision: 7n }, [7, 8, 9]],
    ['forwards, 3 at most', { direction: FORWARDS, fromRevision: START, maxCount: 3 }, [0, 1, 2]],
    ['forwards from the end', { direction: FORWARDS, fromRevision: END }, []],
    ['forwards from beyond the end', { direction: FORWARDS, fromRevision: 50n }, []],
    [
      'backwards from the end',
      { direction: BACKWARDS, fromRevision: END },
      [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ],
    [
      'backwards from the end, 2 at most',
      { direction: BACKWARDS, fromRevision: END, maxCount: 2 },
      [9, 8],
    ],
    ['backwards from revision 2', { direction: BACKWARDS, fromRevision: 2n }, [2, 1, 0]],
    ['backwards from the start', { direction: BACKWARDS, fromRevision: START }, [0]],
  ];

  it.each(rows)(
    'given 10 events, when read %s, then the events come in that order',
    async (_, options, expected) => {
      const events = await read(name, options);
      expect(events.map((e) => e.n)).toEqual(expected);
      expect(events.map((e) => Number(e.revision))).toEqual(expected);
    },
  );

  it('given 10 events, when read in pages of 3, then every event comes once, in order', async () => {
    const seen: number[] = [];
    for (let from = 0n; ;) {
      const page = await read(name, { fromRevision: from, maxCount: 3 });
      seen.push(...page.map((e) => Number(e.revision)));
      if (page.length < 3) break;
      from = (page.at(-1)?.revision ?? 0n) + 1n;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('given a stream read forwards, when the reader stops early, then the server stops sending and serves the next read', async () => {
    const big = stream();
    await append(
      big,
      Array.from({ length: 300 }, (_, n) => event(n)),
      'no_stream',
      'batch append',
    );
    const reading = client.readStream(big);
    let taken = 0;
    for await (const resolved of reading) if (resolved.event && ++taken === 5) break;
    await reading.cancel();
    expect(taken).toBe(5);
    expect(await read(big, { fromRevision: 299n })).toEqual([expect.objectContaining({ n: 299 })]);
  });

  it('given an event with metadata, when read, then type, data, metadata and content type come back as written', async () => {
    const named = stream();
    const id = randomUUID();
    await client.appendToStream(
      named,
      jsonEvent({ id, type: 'spec.meta', data: { a: [1, 'two'] }, metadata: { why: 'test' } }),
    );
    const [resolved] = await collect(client.readStream(named));
    expect(resolved?.event).toMatchObject({
      id,
      streamId: named,
      type: 'spec.meta',
      isJson: true,
      data: { a: [1, 'two'] },
      metadata: { why: 'test' },
      revision: 0n,
    });
    expect(resolved?.event?.created).toBeInstanceOf(Date);
  });

  const missing: [Given, typeof StreamNotFoundError | typeof StreamDeletedError][] = [
    ['no stream', StreamNotFoundError],
    ['soft-deleted after 2 events', StreamNotFoundError],
    ['tombstoned', StreamDeletedError],
  ];

  it.each(missing)(
    'given %s, when read, then the client raises its own error for it',
    async (state, raised) => {
      const named = await given(state, 'batch append');
      const error = await failure(() => read(named));
      expect(error).toBeInstanceOf(raised);
    },
  );
});

describe('EventStoreDB test server — delete and tombstone', () => {
  const rows: ['delete' | 'tombstone', boolean, 'any' | 'no_stream' | bigint, 'done' | 'wrong'][] =
    [
      ['delete', false, 'any', 'done'],
      ['delete', false, 'no_stream', 'done'],
      ['delete', false, 0n, 'wrong'],
      ['delete', true, 'any', 'done'],
      ['delete', true, 0n, 'done'],
      ['delete', true, 'no_stream', 'wrong'],
      ['delete', true, 3n, 'wrong'],
      ['tombstone', false, 'any', 'done'],
      ['tombstone', true, 0n, 'done'],
      ['tombstone', true, 'no_stream', 'wrong'],
    ];

  it.each(rows)(
    '%s with a stream existing: %s, expecting %s → %s',
    async (operation, exists, expectedRevision, outcome) => {
      const name = stream();
      if (exists) await append(name, [event(0)], 'no_stream', 'batch append');
      const removing = () =>
        operation === 'delete'
          ? client.deleteStream(name, { expectedRevision })
          : client.tombstoneStream(name, { expectedRevision });
      if (outcome === 'wrong') {
        const error = await failure(removing);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        // The server puts the stream's last event number in the trailers, -1 when there is none.
        expect((error as WrongExpectedVersionError).actualVersion).toBe(exists ? 0n : -1n);
        return;
      }
      const result = await removing();
      expect(result.position?.commit).toBeTypeOf('bigint');
      const error = await failure(() => read(name));
      expect(error).toBeInstanceOf(
        operation === 'delete' ? StreamNotFoundError : StreamDeletedError,
      );
    },
  );

  it('given a tombstoned stream, when deleted or tombstoned again, then the stream is deleted', async () => {
    const name = stream();
    await client.tombstoneStream(name);
    expect(await failure(() => client.deleteStream(name))).toBeInstanceOf(StreamDeletedError);
    expect(await failure(() => client.tombstoneStream(name))).toBeInstanceOf(StreamDeletedError);
  });
});

describe('EventStoreDB test server — limits, faults and restarts', () => {
  it.each(PATHS)(
    'given the default 1 MiB limit, when an append on %s carries more, then the client raises MaxAppendSizeExceededError',
    async (path) => {
      const name = stream();
      const big = jsonEvent({ type: 'spec.big', data: { text: 'x'.repeat(1024 * 1024) } });
      const error = await failure(() => client.appendToStream(name, big, via(path)));
      expect(error).toBeInstanceOf(MaxAppendSizeExceededError);
      expect((error as MaxAppendSizeExceededError).maxAppendSize).toBe(1024 * 1024);
      expect(await failure(() => read(name))).toBeInstanceOf(StreamNotFoundError);
    },
  );

  it.each(PATHS)(
    'given a planned "not leader", when appending on %s, then the client raises NotLeaderError naming the leader',
    async (path) => {
      server.injectFault('append', 'not-leader');
      const error = await failure(() => append(stream(), [event(0)], 'any', path));
      expect(error).toBeInstanceOf(NotLeaderError);
      expect((error as NotLeaderError).leader).toEqual({ address: '127.0.0.1', port: server.port });
    },
  );

  it.each(PATHS)(
    'given planned "access denied", when appending on %s, then the client raises AccessDeniedError',
    async (path) => {
      server.injectFault('append', 'access-denied');
      expect(await failure(() => append(stream(), [event(0)], 'any', path))).toBeInstanceOf(
        AccessDeniedError,
      );
    },
  );

  it('given a planned "access denied" on reads, when reading, then the client raises AccessDeniedError', async () => {
    server.injectFault('read', 'access-denied');
    expect(await failure(() => read(stream()))).toBeInstanceOf(AccessDeniedError);
  });

  it('when the client asks for the server features, then the server names itself a test server', async () => {
    const own = await startEsdbTestServer();
    const { ServerFeaturesClient } =
      await import('@eventstore/db-client/generated/serverfeatures_grpc_pb.js');
    const { Empty } = await import('@eventstore/db-client/generated/shared_pb.js');
    const { credentials } = await import('@grpc/grpc-js');
    const features = new ServerFeaturesClient(
      `${own.host}:${own.port}`,
      credentials.createInsecure(),
    );
    const supported = await new Promise<SupportedMethods>((resolve, reject) =>
      features.getSupportedMethods(new Empty(), (error, value) =>
        error ? reject(error) : resolve(value),
      ),
    );
    features.close();
    await own.close();
    expect(supported.getEventStoreServerVersion()).toBe(TEST_SERVER_VERSION);
    expect(supported.getMethodsList().map((m) => m.getMethodName())).toContain('batchappend');
  });

  it('given a server stopped and started again, when the client writes and reads, then it reconnects and the data is still there', async () => {
    const own = await startEsdbTestServer();
    const own_client = EventStoreDBClient.connectionString(own.url);
    const name = stream();
    try {
      await own_client.appendToStream(name, event(0), { expectedRevision: 'no_stream' });
      await own.stop();
      expect(own.running).toBe(false);
      await failure(() => own_client.appendToStream(name, event(1), { expectedRevision: 0n }));
      await own.start();
      const port = own.port;
      const result = await retry(() =>
        own_client.appendToStream(name, event(1), { expectedRevision: 0n }),
      );
      expect(own.port).toBe(port);
      expect(result.nextExpectedRevision).toBe(1n);
      const events = [];
      for await (const e of own_client.readStream(name)) events.push(e.event?.revision);
      expect(events).toEqual([0n, 1n]);
    } finally {
      await own_client.dispose();
      await own.close();
    }
  });

  it('given a crash right after a commit, when the client retries the same ids after the restart, then nothing is written twice', async () => {
    const own = await startEsdbTestServer();
    const own_client = EventStoreDBClient.connectionString(own.url);
    const name = stream();
    const batch = [event(0), event(1)];
    try {
      own.injectFault('append', 'crash-after-commit');
      await failure(() =>
        own_client.appendToStream(name, batch, { expectedRevision: 'no_stream' }),
      );
      expect(own.running).toBe(false);
      await own.start();
      const result = await retry(() =>
        own_client.appendToStream(name, batch, { expectedRevision: 'no_stream' }),
      );
      expect(result.nextExpectedRevision).toBe(1n);
      const events = [];
      for await (const e of own_client.readStream(name)) events.push(e.event?.id);
      expect(events).toEqual(batch.map((e) => e.id));
    } finally {
      await own_client.dispose();
      await own.close();
    }
  });
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

/** The client drops its channel on the first failure after a restart and reconnects on the next call. */
async function retry<T>(action: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await action();
    } catch (error) {
      if (i >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
