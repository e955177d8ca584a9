import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

/** One Kafka for the whole run, shared by the integration tests in test/ (Kafka starts slowly). */
export default mergeConfig(shared, {
  // The globalSetup runs in vitest's own environment, which needs the source condition too.
  environments: { __vitest__: { resolve: { conditions: ['@eventfan/source'] } } },
  test: { globalSetup: ['./test/global-setup.ts'] },
});
