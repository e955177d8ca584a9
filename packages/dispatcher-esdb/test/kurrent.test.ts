import { describe, expect, it } from 'vitest';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { commandHandler, ConcurrencyConflict, initial } from '@eventfan/core';
import { toCloudEvent } from '@eventfan/cloudevents';
import { describeStoreConformance } from '@eventfan/testing/conformance';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { esdbEventStore } from '../src/index.js';
import { describeEsdbStore } from './behaviour.js';
import { Counter, freshId } from './fixtures.js';
import { esdbStoreHarness, readBack, type ClientFactory } from './harness.js';

/** The newer client package, which the store takes as it is; its own file, its own process. */
const kurrent: ClientFactory = (url) =>
  KurrentDBClient.connectionString(url.replace(/^esdb(\+discover)?:/, 'kurrentdb$1:'));

describeWithBroker('esdb', 'esdbEventStore with @kurrent/kurrentdb-client', (broker) => {
  it('given a KurrentDBClient, when a command is handled, then the stream holds its CloudEvents and a stale writer conflicts', async () => {
    const store = esdbEventStore({ client: kurrent(broker.url), disposeClient: true });
    try {
      const handler = commandHandler({ aggregate: Counter, store });
      const start = initial(Counter, freshId());
      const result = await handler.handleLoaded(start, { type: 'BumpTwice', by: 2 });
      expect(await readBack(broker.url, start.stream, kurrent)).toEqual(
        result.envelopes.map((e) => ({ ...toCloudEvent(e) })),
      );
      const stale = handler.handleLoaded(start, { type: 'Bump', by: 1 });
      await expect(stale).rejects.toThrow(ConcurrencyConflict);
      await expect(stale).rejects.toMatchObject({
        stream: start.stream,
        expectedGeneration: 0,
        actualGeneration: 2,
      });
    } finally {
      await store.close();
    }
  });

  describe('esdbEventStore (KurrentDB client)', () => describeEsdbStore(broker.url, kurrent));

  describeStoreConformance('esdbEventStore (KurrentDB client)', () =>
    esdbStoreHarness(broker.url, kurrent),
  );
});
