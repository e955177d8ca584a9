import { describeDispatcherConformance } from '@eventfan/testing/conformance';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { EventStoreDBClient } from '@eventstore/db-client';
import { esdbHarness } from './harness.js';

describeWithBroker('esdb', 'esdbDispatcher with @eventstore/db-client', (broker) => {
  describeDispatcherConformance(
    'esdbDispatcher',
    () => esdbHarness(broker.url, (url) => EventStoreDBClient.connectionString(url)),
    {
      dedupe: true,
      concurrency: true,
    },
  );
});
