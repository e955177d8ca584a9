/**
 * A subscriber in a process of its own, for the fault test that SIGKILLs it: it keeps every
 * `stream#generation` it handled with the sequence marks in one file (ProjectionFile), so a kill
 * leaves the state and the marks of the same moment. Runs until killed.
 */
import { EventStoreDBClient } from '@eventstore/db-client';
import { subscribe } from '@eventfan/core';
import { ProjectionFile } from '@eventfan/testing';
import { esdbCheckpoints, esdbSource } from '../../src/index.js';
import { CounterEvent } from '../fixtures.js';

export interface ConsumerSettings {
  readonly url: string;
  readonly name: string;
  readonly aggregate: string;
  readonly stateFile: string;
}

const settings = JSON.parse(process.argv[2] ?? '{}') as ConsumerSettings;
const projection = new ProjectionFile<string>(settings.stateFile);

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
  marks: projection.marks,
  handler: (_, envelope) => projection.handled(`${envelope.stream}#${envelope.generation}`),
});
setInterval(() => {
  void subscription.status().then((s) => console.log(`duplicates ${s.duplicates}`));
}, 20);
await subscription.done;
