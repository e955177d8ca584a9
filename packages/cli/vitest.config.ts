import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

/**
 * The tests run the built bin: the first globalSetup builds it (and the packages it loads, when
 * their dist is older than their src); the others get one nats-server and one Kafka for the run.
 */
export default mergeConfig(shared, {
  test: {
    globalSetup: ['./test/setup/build.ts', './test/setup/nats.ts', './test/setup/kafka.ts'],
    // Each test starts node processes and brokers answer in seconds, not milliseconds.
    testTimeout: 60_000,
    // Files share the two cores with the brokers: one at a time keeps the timings honest.
    fileParallelism: false,
  },
});
