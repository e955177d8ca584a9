// A projection in a process of its own, for the SIGKILL test: it subscribes through natsSource
// and keeps what it handled together with its sequence marks in one file, written atomically
// after each event, as a projection keeps its marks with its state.
import { subscribe } from '@eventfan/core';
import { ConformanceEvent, ProjectionFile } from '@eventfan/testing';
import { connect, headers } from 'nats';
import { natsSource } from '../../src/index.js';

/** An event the projection handled. */
export interface Handled {
  readonly stream: string;
  readonly generation: number;
}

const env = (key: string) => process.env[key] as string;
const projection = new ProjectionFile<Handled>(env('STATE_FILE'));

const nc = await connect({ servers: env('NATS_URL') });
const subscription = subscribe({
  source: natsSource({
    connection: nc,
    headers,
    stream: env('STREAM'),
    durable: env('DURABLE'),
    deadLetterSubject: env('DEAD_LETTERS'),
    batchSize: 16,
    ackWaitMs: 1_000,
  }),
  events: ConformanceEvent,
  marks: projection.marks,
  handler: async (_event, envelope) => {
    await new Promise((resolve) => setTimeout(resolve, 2));
    projection.handled({ stream: envelope.stream, generation: envelope.generation });
  },
});
process.on('SIGTERM', () => {
  void (async () => {
    projection.record.duplicates += (await subscription.status()).duplicates;
    await subscription.stop();
    projection.save();
    await nc.close();
    process.exit(0);
  })();
});
console.log('subscribed');
await subscription.done;
