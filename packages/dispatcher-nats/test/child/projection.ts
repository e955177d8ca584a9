// A projection in a process of its own, for the SIGKILL test: it subscribes through natsSource
// and keeps what it handled together with its sequence marks in one file, written atomically
// after each event, as a projection keeps its marks with its state.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { subscribe, type SequenceMarks } from '@eventfan/core';
import { ConformanceEvent } from '@eventfan/testing';
import { connect, headers } from 'nats';
import { natsSource } from '../../src/index.js';

interface State {
  handled: { stream: string; generation: number }[];
  marks: Record<string, number>;
  duplicates: number;
}

const env = (key: string) => process.env[key] as string;
const file = env('STATE_FILE');
const state: State = existsSync(file)
  ? (JSON.parse(readFileSync(file, 'utf8')) as State)
  : { handled: [], marks: {}, duplicates: 0 };
/** Handled since the last save: lost with the process, as unsaved state is. */
let unsaved: State['handled'] = [];

function save(): void {
  state.handled.push(...unsaved);
  unsaved = [];
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  renameSync(`${file}.tmp`, file);
}

const marks: SequenceMarks = {
  get: async (stream) => state.marks[stream],
  set: async (stream, generation) => {
    state.marks[stream] = generation;
    save();
  },
};

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
  marks,
  handler: async (_event, envelope) => {
    await new Promise((resolve) => setTimeout(resolve, 2));
    unsaved.push({ stream: envelope.stream, generation: envelope.generation });
  },
});
process.on('SIGTERM', () => {
  void (async () => {
    state.duplicates += (await subscription.status()).duplicates;
    await subscription.stop();
    save();
    await nc.close();
    process.exit(0);
  })();
});
console.log('subscribed');
await subscription.done;
