import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BACKWARDS,
  END,
  KurrentDBClient,
  START,
  StreamDeletedError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendStreamState,
  type Position,
  type ReadAllOptions,
} from '@kurrent/kurrentdb-client';
import { startEsdbTestServer, type EsdbTestServer } from './server.js';
import { failure } from './failure.fixture.js';
import { eventually, probe } from './subscription.fixture.js';

/*
 * $all, catch-up subscriptions and StreamState on the EventStoreDB test server (emulator) through
 * the KurrentDB client, whose reads go through its own native gRPC stack. Its own file: the two
 * client packages cannot share a process. Each test has a server of its own.
 */

let server: EsdbTestServer;
let client: KurrentDBClient;

beforeEach(async () => {
  server = await startEsdbTestServer({ client: '@kurrent/kurrentdb-client' });
  client = KurrentDBClient.connectionString(server.url.replace('esdb://', 'kurrentdb://'));
});

afterEach(async () => {
  await client.dispose();
  await server.close();
});

const event = (n: number, type = 'spec.happened') => jsonEvent({ type, data: { n } });
const named = (prefix: string) => `${prefix}-${randomUUID()}`;
const label = (e: AllStreamResolvedEvent) => `${e.event?.streamId}@${e.event?.revision}`;

async function readAll(options: ReadAllOptions = {}) {
  const found: AllStreamResolvedEvent[] = [];
  for await (const resolved of client.readAll(options)) found.push(resolved);
  return found;
}

/** Orders and invoices written in turns, with a soft delete's metadata record among them. */
async function mixedLog() {
  const order = named('order');
  const invoice = named('invoice');
  const gone = named('gone');
  await client.appendToStream(order, [event(0, 'order.placed'), event(1, 'order.paid')]);
  await client.appendToStream(invoice, event(0, 'invoice.sent'));
  await client.appendToStream(gone, event(0));
  await client.deleteStream(gone);
  await client.appendToStream(order, event(2, 'order.shipped'));
  return { order, invoice, gone };
}

describe('EventStoreDB test server with the KurrentDB client — reading $all', () => {
  it('given a mixed log, when $all is read forwards and backwards, then every event comes in commit order, system records included', async () => {
    const { order, invoice, gone } = await mixedLog();
    const expected = [
      `${order}@0`,
      `${order}@1`,
      `${invoice}@0`,
      `${gone}@0`,
      `$$${gone}@0`,
      `${order}@2`,
    ];
    const all = await readAll();
    expect(all.map(label)).toEqual(expected);
    const commits = all.map((e) => e.event?.position?.commit ?? -1n);
    for (let i = 1; i < commits.length; i++)
      expect(commits[i] as bigint).toBeGreaterThan(commits[i - 1] as bigint);
    expect((await readAll({ direction: BACKWARDS, fromPosition: END })).map(label)).toEqual(
      [...expected].reverse(),
    );
    expect((await readAll({ maxCount: 2 })).map(label)).toEqual(expected.slice(0, 2));
  });

  it('given a position, when $all is read from it, then forwards starts at that event and backwards before it', async () => {
    const { order, invoice } = await mixedLog();
    const third = (await readAll())[2]?.event?.position as Position;
    expect((await readAll({ fromPosition: third, maxCount: 1 })).map(label)).toEqual([
      `${invoice}@0`,
    ]);
    expect((await readAll({ fromPosition: third, direction: BACKWARDS })).map(label)).toEqual([
      `${order}@1`,
      `${order}@0`,
    ]);
  });

  it('given a mixed log, when $all is read with server-side filters, then only what each filter keeps comes, in order', async () => {
    const { order, invoice, gone } = await mixedLog();
    const filtered = async (filter: ReadAllOptions['filter'], direction = 'forwards' as const) =>
      (await readAll({ filter, direction, fromPosition: START })).map(label);
    expect(await filtered(streamNameFilter({ prefixes: [order, invoice] }))).toEqual([
      `${order}@0`,
      `${order}@1`,
      `${invoice}@0`,
      `${order}@2`,
    ]);
    expect(await filtered(streamNameFilter({ regex: `^${invoice}$` }))).toEqual([`${invoice}@0`]);
    expect(await filtered(eventTypeFilter({ prefixes: ['order.p'] }))).toEqual([
      `${order}@0`,
      `${order}@1`,
    ]);
    expect(await filtered(eventTypeFilter({ regex: '^order\\.(paid|shipped)$' }))).toEqual([
      `${order}@1`,
      `${order}@2`,
    ]);
    expect(await filtered(excludeSystemEvents())).not.toContain(`$$${gone}@0`);
    expect(await filtered(excludeSystemEvents())).toHaveLength(5);
    expect(await filtered(streamNameFilter({ prefixes: ['$$'] }))).toEqual([`$$${gone}@0`]);
    expect(
      (
        await readAll({
          filter: streamNameFilter({ prefixes: [order] }),
          direction: BACKWARDS,
          fromPosition: END,
          maxCount: 2,
        })
      ).map(label),
    ).toEqual([`${order}@2`, `${order}@1`]);
  });
});

describe('EventStoreDB test server with the KurrentDB client — catch-up subscriptions', () => {
  it('given old events, when subscribed to $all with an event type filter, then old events, caughtUp and live ones come in order at the positions the appends returned', async () => {
    const { order } = await mixedLog();
    const subscription = client.subscribeToAll({
      filter: eventTypeFilter({ prefixes: ['order.'] }),
    });
    const seen = probe(subscription);
    const positions: bigint[] = [];
    subscription.on('data', (e: AllStreamResolvedEvent) => {
      if (e.event?.position) positions.push(e.event.position.commit);
    });
    await seen.until((s) => s.includes('caughtUp'));
    await client.appendToStream(named('noise'), event(0, 'noise.made'));
    const live = await client.appendToStream(order, event(3, 'order.closed'));
    await seen.until((s) => s.includes(`${order}@3`));
    await subscription.unsubscribe();
    expect(seen.seen).toEqual([`${order}@0`, `${order}@1`, `${order}@2`, 'caughtUp', `${order}@3`]);
    expect(positions.at(-1)).toBe(live.position?.commit);
    const all = (await readAll({ filter: eventTypeFilter({ prefixes: ['order.'] }) })).map(
      (e) => e.event?.position?.commit,
    );
    expect(positions).toEqual(all);
  });

  it('given a stream, when subscribed to it from a revision, then later events, caughtUp and live ones come; a cancel leaves the server none', async () => {
    const name = named('stream');
    await client.appendToStream(name, [event(0), event(1), event(2)]);
    const subscription = client.subscribeToStream(name, { fromRevision: 0n });
    const seen = probe(subscription);
    await seen.until((s) => s.includes('caughtUp'));
    await client.appendToStream(name, event(3));
    await seen.until((s) => s.includes(`${name}@3`));
    expect(seen.seen).toEqual([`${name}@1`, `${name}@2`, 'caughtUp', `${name}@3`]);
    expect(server.openSubscriptions).toBe(1);
    await subscription.unsubscribe();
    await eventually(() => server.openSubscriptions === 0, 'the subscription closing');
  });
});

describe('EventStoreDB test server with the KurrentDB client — StreamState', () => {
  const append = (stream: string, streamState: AppendStreamState) =>
    client.appendToStream(stream, event(9), { streamState });

  it('given a soft-deleted stream, when appending with stream_exists, then StreamDeletedError', async () => {
    const name = named('gone');
    await client.appendToStream(name, event(0));
    await client.deleteStream(name);
    expect(await failure(() => append(name, 'stream_exists'))).toBeInstanceOf(StreamDeletedError);
  });

  it('given metadata and no events, when appending with stream_exists, then it is taken at revision 0', async () => {
    const name = named('meta-only');
    await client.setStreamMetadata(name, { maxAge: 3600 });
    expect((await append(name, 'stream_exists')).nextExpectedRevision).toBe(0n);
  });

  it('given no stream, when appending with stream_exists, then WrongExpectedVersionError', async () => {
    const error = await failure(() => append(named('none'), 'stream_exists'));
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ actualState: 'no_stream' });
  });
});
