// A projection in a process of its own, for the SIGKILL test: it subscribes through kafkaSource
// and keeps the ids it handled together with its sequence marks in one file, written atomically
// after each event, as a projection keeps its marks with its state.
import { subscribe } from '@eventfan/core';
import { ConformanceEvent, ProjectionFile } from '@eventfan/testing';
import { logLevel } from 'kafkajs';
import { kafkaSource } from '../../src/source/index.js';

const env = (key: string) => process.env[key] as string;
/** The ids handled, with the marks. */
const projection = new ProjectionFile<string>(env('STATE_FILE'));

const subscription = subscribe({
  source: kafkaSource({
    kafka: { brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING },
    // The killed member holds its partitions until its session expires: keep that short.
    consumerConfig: { sessionTimeout: 6_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 },
    groupId: env('GROUP'),
    topics: [env('TOPIC')],
    fromBeginning: true,
    batchSize: 16,
  }),
  events: ConformanceEvent,
  marks: projection.marks,
  handler: async (_event, envelope) => {
    await new Promise((resolve) => setTimeout(resolve, 2));
    projection.handled(envelope.id);
  },
});
process.on('SIGTERM', () => {
  void (async () => {
    projection.record.duplicates += (await subscription.status()).duplicates;
    await subscription.stop();
    projection.save();
    process.exit(0);
  })();
});
await subscription.done;
