import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { CloudEvent as SdkCloudEvent } from 'cloudevents';
import { commandHandler, initial, InvalidEvent, load, toEnvelopes } from '@eventfan/core';
import type { Envelope } from '@eventfan/core';
import { toCloudEvent } from '@eventfan/cloudevents';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { esdbEventStore, StreamDeleted, type EsdbEventStore } from '../src/index.js';
import { describeEsdbStore } from './behaviour.js';
import { Counter, freshId, type CounterCommand } from './fixtures.js';
import { readBack as readBackWith, type ClientFactory } from './harness.js';

const classic: ClientFactory = (url) => EventStoreDBClient.connectionString(url);
const readBack = (url: string, stream: string) => readBackWith(url, stream, classic);

async function collect(pages: AsyncIterable<readonly Envelope[]>): Promise<Envelope[]> {
  const all: Envelope[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

describeWithBroker('esdb', 'esdbEventStore with @eventstore/db-client', (broker) => {
  let client: EventStoreDBClient;
  let store: EsdbEventStore;

  beforeAll(() => {
    client = EventStoreDBClient.connectionString(broker.url);
    store = esdbEventStore({ client, pageSize: 4 });
  });

  afterAll(async () => {
    await store.close();
    await client.dispose();
  });

  /** Handles commands one after another, as an application would. */
  async function run(id: string, commands: CounterCommand[]) {
    const handler = commandHandler({ aggregate: Counter, store });
    const envelopes: Envelope[] = [];
    let current = initial(Counter, id);
    for (const command of commands) {
      const result = await handler.handle(id, command, { correlationId: `corr-${id}` });
      current = result.state;
      envelopes.push(...result.envelopes);
    }
    return { current, envelopes };
  }

  const oneBump = async (note = '') =>
    (
      await toEnvelopes(Counter, initial(Counter, freshId()), [
        { type: 'Bumped', data: { by: 1, note } },
      ])
    ).envelopes as [Envelope];

  describe('esdbEventStore', () => describeEsdbStore(broker.url, classic));

  it('given handled commands, when the stream is read back by another client, then it decodes to the same CloudEvents', async () => {
    const { current, envelopes } = await run(freshId(), [
      { type: 'BumpTwice', by: 3 },
      { type: 'Seal' },
    ]);
    const stored = await readBack(broker.url, current.stream);
    expect(stored).toEqual(envelopes.map((e) => ({ ...toCloudEvent(e) })));
    // The CloudEvents SDK, as an independent reader, accepts every one of them.
    for (const event of stored) expect(new SdkCloudEvent({ ...event }, true).id).toBe(event['id']);
    expect(await collect(store.read(current.stream))).toEqual(envelopes);
  });

  it('given an append, when it succeeds, then each receipt entry has its revision, the next expected revision and the log position', async () => {
    const [first, second] = (
      await toEnvelopes(Counter, initial(Counter, freshId()), [
        { type: 'Bumped', data: { by: 1, note: '' } },
        { type: 'Bumped', data: { by: 2, note: '' } },
      ])
    ).envelopes as [Envelope, Envelope];
    const result = await store.append(first.stream, [first, second], 0);
    expect(result.generation).toBe(2);
    expect(result.events.map((e) => e.position)).toEqual([
      expect.objectContaining({
        revision: 0,
        nextExpectedRevision: 1,
        commitPosition: expect.stringMatching(/^\d+$/),
      }),
      expect.objectContaining({ revision: 1, nextExpectedRevision: 1 }),
    ]);
  });

  it('given a stream never written, when read or loaded, then it yields nothing and loads the initial state', async () => {
    const id = freshId();
    expect(await collect(store.read(Counter.streamOf(id)))).toEqual([]);
    expect(await load(Counter, store, id)).toEqual(initial(Counter, id));
  });

  it('given 10 events read in pages of 4, when read from generation 1 and from 6, then pages of at most 4 bring every event once, in order', async () => {
    const { current } = await run(
      freshId(),
      Array.from({ length: 10 }, (_, i) => ({ type: 'Bump' as const, by: i + 1 })),
    );
    const pages: number[][] = [];
    for await (const page of store.read(current.stream)) pages.push(page.map((e) => e.generation));
    expect(pages).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10],
    ]);
    expect((await collect(store.read(current.stream, 6))).map((e) => e.generation)).toEqual([
      6, 7, 8, 9, 10,
    ]);
    expect(await collect(store.read(current.stream, 11))).toEqual([]);
  });

  it('given data that is not JSON, when appended, then InvalidEvent names its path and nothing is written', async () => {
    const [valid] = await oneBump();
    const broken = { ...valid, data: { by: 1, at: new Date() } };
    const appending = store.append(valid.stream, [broken], 0);
    await expect(appending).rejects.toThrow(InvalidEvent);
    await expect(appending).rejects.toThrow(/\$\.data\.at is a Date/);
    expect(await readBack(broker.url, valid.stream)).toEqual([]);
  });

  it('given a batch over the maximum append size, when appended, then InvalidEvent says so before anything is sent', async () => {
    const small = esdbEventStore({ client, maxAppendSize: 100 });
    const [valid] = await oneBump('x'.repeat(200));
    await expect(small.append(valid.stream, [valid], 0)).rejects.toThrow(
      /over the server's maximum append size of 100 bytes: nothing was sent/,
    );
    expect(await readBack(broker.url, valid.stream)).toEqual([]);
  });

  it('given a tombstoned stream, when appended to or read, then StreamDeleted names the stream', async () => {
    const { current, envelopes } = await run(freshId(), [{ type: 'Bump', by: 1 }]);
    await client.tombstoneStream(current.stream);
    const next = (
      await toEnvelopes(Counter, current, [{ type: 'Bumped', data: { by: 1, note: '' } }])
    ).envelopes;
    const appending = store.append(current.stream, next, envelopes.length);
    await expect(appending).rejects.toThrow(StreamDeleted);
    await expect(appending).rejects.toMatchObject({ stream: current.stream, target: 'esdb' });
    await expect(collect(store.read(current.stream))).rejects.toThrow(StreamDeleted);
  });

  it('given a stream holding an event eventfan did not write, when read, then InvalidEvent names its revision', async () => {
    const stream = `counter-${freshId()}`;
    await client.appendToStream(stream, jsonEvent({ type: 'someone.else', data: { n: 1 } }));
    await expect(collect(store.read(stream))).rejects.toThrow(
      /revision 0 \(someone\.else\) is not an eventfan event/,
    );
  });

  it('given a snapshot stream whose latest record is not a snapshot, when read, then InvalidEvent names the snapshot stream', async () => {
    const stream = `counter-${freshId()}`;
    await client.appendToStream(
      `snapshot-${stream}`,
      jsonEvent({ type: 'someone.else', data: { n: 1 } }),
    );
    await expect(store.readSnapshot(stream)).rejects.toThrow(`stream "snapshot-${stream}"`);
  });

  it('given a first append and its repeat, when both answer, then the repeat says duplicate and neither spent a read', async () => {
    let reads = 0;
    const counting = esdbEventStore({
      client: {
        appendToStream: (stream, events, options) => client.appendToStream(stream, events, options),
        readAll: (options) => client.readAll(options),
        readStream: (stream, options) => {
          reads++;
          return client.readStream(stream, options);
        },
      },
    });
    const envelopes = await oneBump();
    const stream = envelopes[0].stream;
    await counting.append(stream, envelopes, 0);
    const again = await counting.append(stream, envelopes, 0);
    expect(again.events.map((e) => e.duplicate)).toEqual([true]);
    expect(reads).toBe(0);
  });

  it('given options out of range, when the store is made, then a TypeError names the option', () => {
    expect(() => esdbEventStore({ client, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => esdbEventStore({ client, timeoutMs: Infinity })).toThrow(
      /esdbEventStore: timeoutMs must be > 0 and at most 2147483647 ms/,
    );
    expect(() => esdbEventStore({ client, pageSize: 1.5 })).toThrow(/pageSize/);
  });
});
