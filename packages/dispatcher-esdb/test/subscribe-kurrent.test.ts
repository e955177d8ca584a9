import { describe } from 'vitest';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { describeEsdbCheckpoints } from './checkpoints.js';
import { describeEsdbSource } from './source.js';

/** The newer client package; its own file, its own process (the two clash in one). */
const kurrent = (url: string) =>
  KurrentDBClient.connectionString(url.replace(/^esdb(\+discover)?:/, 'kurrentdb$1:'));

describeWithBroker(
  'esdb',
  'checkpoints and subscriptions with @kurrent/kurrentdb-client',
  (broker) => {
    describe('esdbCheckpoints (KurrentDB client)', () =>
      describeEsdbCheckpoints(broker.url, kurrent));
    describe('esdbSource (KurrentDB client)', () => describeEsdbSource(broker.url, kurrent));
  },
);
