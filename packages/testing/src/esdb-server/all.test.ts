import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  StreamDeletedError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  persistentSubscriptionToStreamSettingsFromDefaults,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type Position,
  type ReadAllOptions,
} from '@eventstore/db-client';
import { startEsdbTestServer, type EsdbTestServer } from './server.js';
import { failure } from './failure.fixture.js';
import { eventually, probe } from './subscription.fixture.js';

/*
 * $all, catch-up subscriptions and stream metadata on the EventStoreDB test server (emulator),
 * through the @eventstore/db-client. Each test has a server of its own, so the whole log is known.
 */

let server: EsdbTestServer;
let client: EventStoreDBClient;

beforeEach(async () => {
  server = await startEsdbTestServer();
  client = EventStoreDBClient.connectionString(server.url);
});

afterEach(async () => {
  await client.dispose();
  await server.close();
});

const event = (n: number) => jsonEvent({ type: 'spec.happened', data: { n } });
const named = (prefix: string) => `${prefix}-${randomUUID()}`;

async function readAll(options: ReadAllOptions = {}) {
  const found: AllStreamResolvedEvent[] = [];
  for await (const resolved of client.readAll(options)) found.push(resolved);
  return found;
}
const label = (e: AllStreamResolvedEvent) => `${e.event?.streamId}@${e.event?.revision}`;
const commit = (e: AllStreamResolvedEvent) => e.event?.position.commit ?? -1n;

/** Two streams written in turns: a@0 a@1, b@0, a@2, b@1; the positions each append returned. */
async function interleaved() {
  const a = named('a');
  const b = named('b');
  const positions: Position[] = [];
  const write = async (stream: string, events: ReturnType<typeof event>[]) => {
    const result = await client.appendToStream(stream, events);
    if (result.position) positions.push(result.position);
  };
  await write(a, [event(0), event(1)]);
  await write(b, [event(0)]);
  await write(a, [event(2)]);
  await write(b, [event(1)]);
  return { a, b, positions, order: [`${a}@0`, `${a}@1`, `${b}@0`, `${a}@2`, `${b}@1`] };
}

describe('EventStoreDB test server — reading $all', () => {
  it('given two streams written in turns, when $all is read forwards, then every event comes in commit order with strictly increasing positions, the ones appends and stream reads report', async () => {
    const { a, order, positions } = await interleaved();
    const all = await readAll();
    expect(all.map(label)).toEqual(order);
    const commits = all.map(commit);
    expect(commits).toEqual([...commits].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    expect(new Set(commits).size).toBe(commits.length);
    for (const e of all) expect(e.event?.position.prepare).toBe(e.event?.position.commit);
    // An append reports the position of its last event.
    expect(positions).toEqual([all[1], all[2], all[3], all[4]].map((e) => e?.event?.position));
    const fromStream = [];
    for await (const e of client.readStream(a)) fromStream.push(e.event?.position);
    expect(fromStream).toEqual([all[0], all[1], all[3]].map((e) => e?.event?.position));
  });

  it('given two streams written in turns, when $all is read backwards from the end, then the events come newest first', async () => {
    const { order } = await interleaved();
    expect((await readAll({ direction: BACKWARDS, fromPosition: END })).map(label)).toEqual(
      [...order].reverse(),
    );
    expect(
      (await readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 2 })).map(label),
    ).toEqual([order[4], order[3]]);
  });

  it('given a position of an event, when $all is read from it, then forwards starts at that event and backwards just before it', async () => {
    const { order } = await interleaved();
    const third = (await readAll())[2]?.event?.position;
    expect(third).toBeDefined();
    const fromPosition = third as Position;
    expect((await readAll({ fromPosition, direction: FORWARDS })).map(label)).toEqual(
      order.slice(2),
    );
    expect((await readAll({ fromPosition, direction: BACKWARDS })).map(label)).toEqual([
      order[1],
      order[0],
    ]);
    expect((await readAll({ fromPosition, maxCount: 2 })).map(label)).toEqual(order.slice(2, 4));
  });

  it('given events, when $all is read forwards from the end or backwards from the start, then nothing comes', async () => {
    await interleaved();
    expect(await readAll({ fromPosition: END })).toEqual([]);
    expect(await readAll({ fromPosition: START, direction: BACKWARDS })).toEqual([]);
  });

  it('given a soft delete, a re-creation and a tombstone, when $all is read, then the metadata and tombstone records appear as EventStoreDB writes them', async () => {
    const soft = named('soft');
    const hard = named('hard');
    await client.appendToStream(soft, [event(0), event(1)]);
    await client.deleteStream(soft);
    await client.appendToStream(soft, event(2));
    await client.appendToStream(hard, event(0));
    await client.tombstoneStream(hard);
    const all = await readAll({ resolveLinkTos: true });
    expect(all.map(label)).toEqual([
      `${soft}@0`,
      `${soft}@1`,
      `$$${soft}@0`,
      `${soft}@2`,
      `$$${soft}@1`,
      `${hard}@0`,
      `${hard}@9223372036854775807`,
    ]);
    const deleted = all[2]?.event;
    expect(deleted).toMatchObject({ type: '$metadata', isJson: true });
    // The client parses the JSON: $tb 2^63 - 1 becomes the nearest double.
    expect((deleted?.data as { $tb: number }).$tb).toBe(Number(2n ** 63n - 1n));
    expect(all[4]?.event).toMatchObject({ type: '$metadata', data: { $tb: 2 } });
    expect(all[6]?.event).toMatchObject({ type: '$streamDeleted', isJson: false });
    // The metadata the client reads back is the one the re-creation wrote.
    expect((await client.getStreamMetadata(soft)).metadata?.truncateBefore).toBe(2);
    const read = [];
    for await (const e of client.readStream(soft)) read.push(e.event?.revision);
    expect(read).toEqual([2n]);
  });
});

describe('EventStoreDB test server — stream metadata', () => {
  it('given $maxCount 2 on a stream of 5 events, when read, then only the last 2 come, while $all still has all 5', async () => {
    const name = named('max');
    await client.appendToStream(name, [0, 1, 2, 3, 4].map(event));
    await client.setStreamMetadata(name, { maxCount: 2 });
    const read = [];
    for await (const e of client.readStream(name)) read.push(e.event?.revision);
    expect(read).toEqual([3n, 4n]);
    const backwards = [];
    for await (const e of client.readStream(name, { direction: BACKWARDS, fromRevision: END }))
      backwards.push(e.event?.revision);
    expect(backwards).toEqual([4n, 3n]);
    expect((await readAll()).filter((e) => e.event?.streamId === name)).toHaveLength(5);
  });

  it('given $tb 3 set by the client, when read, then reading starts at revision 3', async () => {
    const name = named('tb');
    await client.appendToStream(name, [0, 1, 2, 3, 4].map(event));
    await client.setStreamMetadata(name, { truncateBefore: 3 });
    const read = [];
    for await (const e of client.readStream(name)) read.push(e.event?.revision);
    expect(read).toEqual([3n, 4n]);
    expect((await client.getStreamMetadata(name)).metadata).toEqual({ truncateBefore: 3 });
  });
  it('given $maxAge 1 and events older than a second, when read, then only the newer ones come', async () => {
    const name = named('age');
    await client.appendToStream(name, [event(0), event(1)]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await client.appendToStream(name, event(2));
    await client.setStreamMetadata(name, { maxAge: 1 });
    const read = [];
    for await (const e of client.readStream(name)) read.push(e.event?.revision);
    expect(read).toEqual([2n]);
  });
});

describe.each(['batch append', 'append'] as const)(
  'EventStoreDB test server — expecting an existing stream on %s',
  (path) => {
    const via = path === 'append' ? { credentials: { username: 'admin', password: 'x' } } : {};
    const append = (stream: string, expectedRevision: AppendExpectedRevision) =>
      client.appendToStream(stream, event(9), { expectedRevision, ...via });

    it('given a soft-deleted stream, when appending expecting it to exist, then the stream is deleted', async () => {
      const name = named('gone');
      await client.appendToStream(name, [event(0), event(1)]);
      await client.deleteStream(name);
      const error = await failure(() => append(name, 'stream_exists'));
      expect(error).toBeInstanceOf(StreamDeletedError);
      expect((error as StreamDeletedError).streamName).toBe(name);
    });

    it('given a stream with metadata and no events, when appending expecting it to exist, then the append is taken', async () => {
      const name = named('meta-only');
      await client.setStreamMetadata(name, { maxCount: 10 });
      const result = await append(name, 'stream_exists');
      expect(result.nextExpectedRevision).toBe(0n);
    });

    it('given no stream at all, when appending expecting it to exist, then it is a wrong expected version', async () => {
      const error = await failure(() => append(named('none'), 'stream_exists'));
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect((error as WrongExpectedVersionError).actualVersion).toBe('no_stream');
    });
  },
);

describe('EventStoreDB test server — catch-up subscriptions', () => {
  it('given events in matching and other streams, when subscribed to $all with a stream prefix filter, then old events, caughtUp and live ones come in order at the positions the appends returned', async () => {
    const prefix = `orders-${randomUUID()}`;
    const first = await client.appendToStream(`${prefix}-1`, [event(0), event(1)]);
    await client.appendToStream(named('other'), event(0));
    const subscription = client.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({ prefixes: [prefix] }),
    });
    const seen = probe(subscription);
    const positions: bigint[] = [];
    subscription.on('data', (e: AllStreamResolvedEvent) => {
      if (e.event) positions.push(e.event.position.commit);
    });
    await seen.until((s) => s.includes('caughtUp'));
    const live = await client.appendToStream(`${prefix}-2`, event(0));
    await client.appendToStream(named('other'), event(1));
    const last = await client.appendToStream(`${prefix}-1`, event(2));
    await seen.until((s) => s.length >= 5);
    await subscription.unsubscribe();
    expect(seen.seen).toEqual([
      `${prefix}-1@0`,
      `${prefix}-1@1`,
      'caughtUp',
      `${prefix}-2@0`,
      `${prefix}-1@2`,
    ]);
    expect(positions.slice(1)).toEqual([first, live, last].map((r) => r.position?.commit ?? -2n));
  });

  it('given system events, when subscribed to $all excluding system events, then none of them comes', async () => {
    const name = named('plain');
    await client.appendToStream(name, event(0));
    await client.deleteStream(name);
    const subscription = client.subscribeToAll({ filter: excludeSystemEvents() });
    const seen = probe(subscription);
    await seen.until((s) => s.includes('caughtUp'));
    await client.appendToStream(name, event(1));
    await client.setStreamMetadata(name, { maxCount: 3 });
    const after = named('after');
    await client.appendToStream(after, event(0));
    await seen.until((s) => s.includes(`${after}@0`));
    await subscription.unsubscribe();
    expect(seen.seen).toEqual([`${name}@0`, 'caughtUp', `${name}@1`, `${after}@0`]);
  });

  it('given a filter with a search window of 4 and a checkpoint interval of 2, when subscribed, then checkpoints come every 8 events looked at, as the server counts them', async () => {
    const prefix = `cp-${randomUUID()}`;
    const other = named('other');
    await client.appendToStream(
      other,
      Array.from({ length: 10 }, (_, n) => event(n)),
    );
    await client.appendToStream(`${prefix}-x`, [event(0), event(1)]);
    const subscription = client.subscribeToAll({
      filter: streamNameFilter({
        prefixes: [prefix],
        maxSearchWindow: 4,
        checkpointInterval: 2,
        checkpointReached: (_, position) => seen.checkpoint(position),
      }),
    });
    const seen = probe(subscription);
    await seen.until((s) => s.includes('caughtUp'));
    await client.appendToStream(
      other,
      Array.from({ length: 9 }, (_, n) => event(10 + n)),
    );
    await client.appendToStream(`${prefix}-x`, event(2));
    await seen.until((s) => s.includes(`${prefix}-x@2`));
    await subscription.unsubscribe();
    const at = (await readAll()).map(commit);
    // Catch-up pages of 4 events: the second page (log events 4-7) brings the count to 8 and has
    // no match, so the checkpoint is at its start; the last page (8-11) hands a count of 4 over to
    // the live phase, where log event 15 makes it 8.
    expect(seen.seen).toEqual([
      `checkpoint@${at[4]}`,
      `${prefix}-x@0`,
      `${prefix}-x@1`,
      'caughtUp',
      `checkpoint@${at[15]}`,
      `${prefix}-x@2`,
    ]);
  });

  it('given a position, when subscribed to $all from it, then the events after it come', async () => {
    const { order } = await interleaved();
    const second = (await readAll())[1]?.event?.position as Position;
    const subscription = client.subscribeToAll({ fromPosition: second });
    const seen = probe(subscription);
    await seen.until((s) => s.includes('caughtUp'));
    await subscription.unsubscribe();
    expect(seen.seen).toEqual([order[2], order[3], order[4], 'caughtUp']);
  });

  it('given events, when subscribed to $all from the end, then only events appended later come, after caughtUp', async () => {
    await interleaved();
    const subscription = client.subscribeToAll({ fromPosition: END });
    const seen = probe(subscription);
    await seen.until((s) => s.includes('caughtUp'));
    const name = named('later');
    await client.appendToStream(name, [event(0), event(1)]);
    await seen.until((s) => s.includes(`${name}@1`));
    await subscription.unsubscribe();
    expect(seen.seen).toEqual(['caughtUp', `${name}@0`, `${name}@1`]);
  });

  it('given a stream with events, when subscribed to it from the start, from a revision and from the end, then each gets what follows, caughtUp, then live events', async () => {
    const name = named('stream');
    await client.appendToStream(name, [event(0), event(1), event(2)]);
    await client.appendToStream(named('noise'), event(0));
    const fromStart = probe(client.subscribeToStream(name));
    const fromOne = probe(client.subscribeToStream(name, { fromRevision: 1n }));
    const fromEnd = probe(client.subscribeToStream(name, { fromRevision: END }));
    for (const p of [fromStart, fromOne, fromEnd]) await p.until((s) => s.includes('caughtUp'));
    await client.appendToStream(named('noise'), event(1));
    await client.appendToStream(name, event(3));
    for (const p of [fromStart, fromOne, fromEnd]) await p.until((s) => s.includes(`${name}@3`));
    expect(fromStart.seen).toEqual([
      `${name}@0`,
      `${name}@1`,
      `${name}@2`,
      'caughtUp',
      `${name}@3`,
    ]);
    expect(fromOne.seen).toEqual([`${name}@2`, 'caughtUp', `${name}@3`]);
    expect(fromEnd.seen).toEqual(['caughtUp', `${name}@3`]);
  });

  it('given a subscription to a stream that does not exist yet, when it is written, then its events come live; when it is tombstoned, then the subscription fails with StreamDeletedError', async () => {
    const name = named('later');
    const seen = probe(client.subscribeToStream(name));
    await seen.until((s) => s.includes('caughtUp'));
    await client.appendToStream(name, event(0));
    await client.tombstoneStream(name);
    await seen.until((s) => s.some((x) => x.startsWith('error:')));
    expect(seen.seen).toEqual(['caughtUp', `${name}@0`, 'error:StreamDeletedError']);
    await eventually(() => server.openSubscriptions === 0, 'the subscription closing');
  });

  it('given open subscriptions, when the client cancels them, then the server keeps none', async () => {
    const subscriptions = [
      client.subscribeToAll(),
      client.subscribeToAll({ filter: excludeSystemEvents() }),
      client.subscribeToStream(named('s')),
    ];
    const probes = subscriptions.map(probe);
    for (const p of probes) await p.until((s) => s.includes('caughtUp'));
    expect(server.openSubscriptions).toBe(3);
    for (const s of subscriptions) await s.unsubscribe();
    await eventually(() => server.openSubscriptions === 0, 'the subscriptions closing');
    // Appends after the cancel reach nobody and still work.
    expect((await client.appendToStream(named('s'), event(0))).success).toBe(true);
  });

  it('given an open subscription, when the server stops, then it keeps none', async () => {
    const seen = probe(client.subscribeToAll());
    await seen.until((s) => s.includes('caughtUp'));
    expect(server.openSubscriptions).toBe(1);
    await server.stop();
    expect(server.openSubscriptions).toBe(0);
  });
});

describe('EventStoreDB test server — what it refuses', () => {
  it('when a persistent subscription is created, then the call fails naming it as not implemented by the test server', async () => {
    const error = await failure(() =>
      client.createPersistentSubscriptionToStream(
        named('p'),
        'group',
        persistentSubscriptionToStreamSettingsFromDefaults(),
      ),
    );
    expect(String((error as Error).message)).toMatch(
      /PersistentSubscriptions\.Create is not implemented by the EventStoreDB test server \(emulator\)/,
    );
  });

  it.each([
    ['batch append', {}],
    ['append', { credentials: { username: 'admin', password: 'x' } }],
  ] as const)(
    'when stream metadata with an $acl is written over %s, then the write fails naming ACLs as not implemented, and no metadata is stored',
    async (_, via) => {
      const name = named('acl');
      const error = await failure(() =>
        client.setStreamMetadata(name, { acl: { readRoles: ['$admins'] } }, via),
      );
      expect((error as Error).message).toMatch(
        /Stream ACLs \(\$acl in the metadata of '.+'\) is not implemented by the EventStoreDB test server \(emulator\)/,
      );
      expect((await client.getStreamMetadata(name)).metadata).toBeUndefined();
    },
  );
});
