/**
 * A subscriber in a process of its own, for the fault test that SIGKILLs it: its handler keeps
 * what it handled and the sequence marks in one file, written whole and renamed over the last, so
 * a kill leaves the state and the marks of the same moment. Runs until killed.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { EventStoreDBClient } from '@eventstore/db-client';
import { subscribe, type SequenceMarks } from '@eventfan/core';
import { esdbCheckpoints, esdbSource } from '../../src/index.js';
import { CounterEvent } from '../fixtures.js';

export interface ConsumerSettings {
  readonly url: string;
  readonly name: string;
  readonly aggregate: string;
  readonly stateFile: string;
}

/** The handler's state: every `stream#generation` it handled, in order, and the marks. */
export interface ConsumerState {
  readonly handled: string[];
  readonly marks: Record<string, number>;
}

const settings = JSON.parse(process.argv[2] ?? '{}') as ConsumerSettings;
const state = read();
const write = () => {
  writeFileSync(`${settings.stateFile}.tmp`, JSON.stringify(state));
  renameSync(`${settings.stateFile}.tmp`, settings.stateFile);
};
// The handler writes the mark with its state; `set` only agrees with what it wrote.
const marks: SequenceMarks = {
  get: async (stream) => state.marks[stream],
  set: async (stream, generation) => void (state.marks[stream] = generation),
};

const client = EventStoreDBClient.connectionString(settings.url);
const subscription = subscribe({
  source: esdbSource({
    client,
    checkpoints: esdbCheckpoints({ client }),
    name: settings.name,
    aggregates: [settings.aggregate],
    batchSize: 50,
  }),
  events: CounterEvent,
  marks,
  handler: (_, envelope) => {
    state.handled.push(`${envelope.stream}#${envelope.generation}`);
    state.marks[envelope.stream] = envelope.generation;
    write();
  },
});
setInterval(() => {
  void subscription.status().then((s) => console.log(`duplicates ${s.duplicates}`));
}, 20);
await subscription.done;

function read(): ConsumerState {
  try {
    return JSON.parse(readFileSync(settings.stateFile, 'utf8')) as ConsumerState;
  } catch {
    return { handled: [], marks: {} };
  }
}
