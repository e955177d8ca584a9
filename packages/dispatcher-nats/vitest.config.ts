import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

/** One nats-server (or NATS_URL) for the whole run, shared by the integration tests in test/. */
export default mergeConfig(shared, {
  test: { globalSetup: ['./test/global-setup.ts'] },
});
