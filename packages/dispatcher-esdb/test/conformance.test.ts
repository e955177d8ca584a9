import { describeStoreConformance } from '@eventfan/testing/conformance';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { EventStoreDBClient } from '@eventstore/db-client';
import { esdbStoreHarness } from './harness.js';

describeWithBroker('esdb', 'esdbEventStore with @eventstore/db-client', (broker) => {
  describeStoreConformance('esdbEventStore', () =>
    esdbStoreHarness(broker.url, (url) => EventStoreDBClient.connectionString(url)),
  );
});
