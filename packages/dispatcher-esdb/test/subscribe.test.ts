import { describe } from 'vitest';
import { EventStoreDBClient } from '@eventstore/db-client';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { describeEsdbCheckpoints } from './checkpoints.js';
import { describeEsdbSource } from './source.js';

const classic = (url: string) => EventStoreDBClient.connectionString(url);

describeWithBroker('esdb', 'checkpoints and subscriptions with @eventstore/db-client', (broker) => {
  describe('esdbCheckpoints', () => describeEsdbCheckpoints(broker.url, classic));
  describe('esdbSource', () => describeEsdbSource(broker.url, classic));
});
