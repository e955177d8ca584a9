import { afterAll, beforeAll, expect, it } from 'vitest';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { CloudEvent as SdkCloudEvent } from 'cloudevents';
import { dispatch, initial, InvalidEvent, load, toEnvelopes } from '@eventfan/core';
import type { Envelope, EventStore, Versioned } from '@eventfan/core';
import { toCloudEvent } from '@eventfan/cloudevents';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { esdbDispatcher, EsdbEventStore, StreamDeleted } from '../src/index.js';
import { Counter, freshId, type CounterCommand } from './fixtures.js';
import { readBack as readBackWith } from './harness.js';

const readBack = (url: string, stream: string) =>
  readBackWith(url, stream, (u) => EventStoreDBClient.connectionString(u));

describeWithBroker('esdb', 'EsdbEventStore', (broker) => {
  let client: EventStoreDBClient;
  let store: EsdbEventStore;

  beforeAll(() => {
    client = EventStoreDBClient.connectionString(broker.url);
    store = new EsdbEventStore(client, { pageSize: 4 });
  });

  afterAll(async () => {
    await client.dispose();
  });

  /** Runs commands one after another through the ESDB dispatcher, as an application would. */
  async function run(
    id: string,
    commands: CounterCommand[],
    dispatcher = esdbDispatcher({ client }),
  ) {
    let current: Versioned<{ total: number; sealed: boolean }> = initial(Counter, id);
    const envelopes: Envelope[] = [];
    for (const command of commands) {
      const result = await dispatch(Counter, current, command, [dispatcher], {
        correlationId: `corr-${id}`,
      });
      current = result.state;
      envelopes.push(...result.envelopes);
    }
    return { current, envelopes };
  }

  async function collect(iterable: AsyncIterable<Envelope>): Promise<Envelope[]> {
    const all: Envelope[] = [];
    for await (const envelope of iterable) all.push(envelope);
    return all;
  }

  it('given a dispatch, when the stream is read back by another client, then it decodes to the same CloudEvents', async () => {
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

  it('given a dispatch, when it succeeds, then each receipt entry has its revision, the next expected revision and the log position', async () => {
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

  it('given 10 events read in pages of 4, when read from generation 1 and from 6, then every event comes once, in order', async () => {
    const { current } = await run(
      freshId(),
      Array.from({ length: 10 }, (_, i) => ({ type: 'Bump' as const, by: i + 1 })),
    );
    expect((await collect(store.read(current.stream))).map((e) => e.generation)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect((await collect(store.read(current.stream, 6))).map((e) => e.generation)).toEqual([
      6, 7, 8, 9, 10,
    ]);
    expect(await collect(store.read(current.stream, 11))).toEqual([]);
  });

  it('given snapshots every 3 events, when 7 are dispatched and loaded, then load starts from the generation-6 snapshot', async () => {
    const id = freshId();
    const dispatcher = esdbDispatcher({ client, snapshotEvery: 3 });
    const { current } = await run(
      id,
      Array.from({ length: 7 }, () => ({ type: 'Bump' as const, by: 2 })),
      dispatcher,
    );
    const snapshot = await store.readSnapshot(current.stream);
    expect(snapshot).toMatchObject({
      stream: current.stream,
      generation: 6,
      state: { total: 12, sealed: false },
    });
    let replayed = 0;
    const counting: EventStore = {
      append: (s, e, g) => store.append(s, e, g),
      readSnapshot: (s) => store.readSnapshot(s),
      async *read(s, from) {
        for await (const envelope of store.read(s, from)) {
          replayed++;
          yield envelope;
        }
      },
    };
    expect(await load(Counter, counting, id)).toEqual(current);
    expect(replayed).toBe(1);
  });

  it('given data that is not JSON, when appended, then InvalidEvent names it and nothing is written', async () => {
    const [valid] = (
      await toEnvelopes(Counter, initial(Counter, freshId()), [
        { type: 'Bumped', data: { by: 1, note: '' } },
      ])
    ).envelopes as [Envelope];
    const broken = { ...valid, data: { by: 1, at: new Date() } };
    await expect(store.append(valid.stream, [broken], 0)).rejects.toThrow(InvalidEvent);
    await expect(store.append(valid.stream, [broken], 0)).rejects.toThrow(/\$\.at is a Date/);
    expect(await readBack(broker.url, valid.stream)).toEqual([]);
  });

  it('given a batch over the maximum append size, when appended, then InvalidEvent says so before anything is sent', async () => {
    const small = new EsdbEventStore(client, { maxAppendSize: 100 });
    const [valid] = (
      await toEnvelopes(Counter, initial(Counter, freshId()), [
        { type: 'Bumped', data: { by: 1, note: 'x'.repeat(200) } },
      ])
    ).envelopes as [Envelope];
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
});
