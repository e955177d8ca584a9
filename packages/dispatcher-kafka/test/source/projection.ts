// A projection in a process of its own, for the SIGKILL test: it subscribes through kafkaSource
// and keeps the ids it handled together with its sequence marks in one file, written atomically
// after each event, as a projection keeps its marks with its state.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { subscribe, type SequenceMarks } from '@eventfan/core';
import { ConformanceEvent } from '@eventfan/testing';
import { logLevel } from 'kafkajs';
import { kafkaSource } from '../../src/source/index.js';

export interface ProjectionState {
  handled: string[];
  marks: Record<string, number>;
  /** Redeliveries the marks kept from the handler, summed over the runs that stopped cleanly. */
  duplicates: number;
}

const env = (key: string) => process.env[key] as string;
const file = env('STATE_FILE');
const state: ProjectionState = existsSync(file)
  ? (JSON.parse(readFileSync(file, 'utf8')) as ProjectionState)
  : { handled: [], marks: {}, duplicates: 0 };
/** Handled since the last save: lost with the process, as unsaved state is. */
let unsaved: string[] = [];

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
  marks,
  handler: async (_event, envelope) => {
    await new Promise((resolve) => setTimeout(resolve, 2));
    unsaved.push(envelope.id);
  },
});
process.on('SIGTERM', () => {
  void (async () => {
    state.duplicates += (await subscription.status()).duplicates;
    await subscription.stop();
    save();
    process.exit(0);
  })();
});
await subscription.done;
