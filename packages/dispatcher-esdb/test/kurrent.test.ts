import { afterAll, beforeAll, expect, it } from 'vitest';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { ConcurrencyConflict, dispatch, initial } from '@eventfan/core';
import { toCloudEvent } from '@eventfan/cloudevents';
import { describeDispatcherConformance } from '@eventfan/testing/conformance';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { esdbDispatcher, type EsdbDispatcher } from '../src/index.js';
import { Counter, freshId } from './fixtures.js';
import { esdbHarness, readBack, type ClientFactory } from './harness.js';

/** The newer client package, which the dispatcher takes as it is; its own file, its own process. */
const kurrent: ClientFactory = (url) =>
  KurrentDBClient.connectionString(url.replace(/^esdb(\+discover)?:/, 'kurrentdb$1:'));

describeWithBroker('esdb', 'esdbDispatcher with @kurrent/kurrentdb-client', (broker) => {
  let client: KurrentDBClient;
  let dispatcher: EsdbDispatcher;

  beforeAll(() => {
    client = kurrent(broker.url) as KurrentDBClient;
    dispatcher = esdbDispatcher({ client });
  });

  afterAll(async () => {
    await client.dispose();
  });

  it('given a KurrentDBClient, when a command is dispatched, then the stream holds its CloudEvents and a stale writer conflicts', async () => {
    const start = initial(Counter, freshId());
    const result = await dispatch(Counter, start, { type: 'BumpTwice', by: 2 }, [dispatcher]);
    expect(await readBack(broker.url, start.stream, kurrent)).toEqual(
      result.envelopes.map((e) => ({ ...toCloudEvent(e) })),
    );
    const stale = dispatch(Counter, start, { type: 'Bump', by: 1 }, [dispatcher]);
    await expect(stale).rejects.toThrow(ConcurrencyConflict);
    await expect(stale).rejects.toMatchObject({
      stream: start.stream,
      expectedGeneration: 0,
      actualGeneration: 2,
    });
  });

  describeDispatcherConformance(
    'esdbDispatcher (KurrentDB client)',
    () => esdbHarness(broker.url, kurrent),
    {
      dedupe: true,
      concurrency: true,
    },
  );
});
