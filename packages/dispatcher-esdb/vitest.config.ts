import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

/** One EventStoreDB for the whole run: ESDB_CONNECTION_STRING, a KurrentDB container, or the test server. */
export default mergeConfig(shared, {
  // The globalSetup runs in vitest's own environment, which needs the source condition too.
  environments: { __vitest__: { resolve: { conditions: ['@eventfan/source'] } } },
  test: { globalSetup: ['./test/global-setup.ts'] },
});
