/**
 * Subscribing to EventStoreDB: core's `subscribe` on `esdbSource` (decoded, typed, deduped,
 * checkpointed per batch) against the raw client's `subscribeToAll` with the same stream-prefix
 * filter, both from the start of `$all` until they read every seeded event, in paired rounds
 * (bench/paired.ts). Like with like: the raw side turns each event into its envelope with
 * `fromEsdbRecord` + `toEnvelope`, as a user of the raw client would to read eventfan's events (the
 * client parses the JSON data and metadata on both sides); a second, shorter comparison against a
 * raw side that decodes nothing is printed beside it. Used by bench/subscribe.bench.ts and
 * bench/esdb.bench.ts.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { jsonEvent, START, streamNameFilter, type EventStoreDBClient } from '@eventstore/db-client';
import { defineEvents, InMemoryCheckpoints, payload, subscribe } from '@eventfan/core';
import {
  envelopeToEsdbRecord,
  fromEsdbRecord,
  toEnvelope,
  toSequence,
} from '@eventfan/cloudevents';
import { ESDB_TEST_SERVER_LABEL } from '@eventfan/testing/esdb-server';
import { esdbSource } from '@eventfan/dispatcher-esdb';
import { firstLine } from './child-line.js';
import { comparePaired, type Paired } from './paired.js';
import { formatRate, printTable } from './report.js';

/** Events each subscribing run reads, in streams of STREAM_LENGTH events. */
const EVENTS = Number(process.env['EVENTFAN_BENCH_SUBSCRIBE_EVENTS'] ?? 10_000);
const STREAM_LENGTH = 1_000;
const AGGREGATE = 'benchsub';
const BATCH = 256;
const ROUNDS = 9;
/** Rounds of the comparison with a raw side that decodes nothing: a figure beside the headline. */
const UNDECODED_ROUNDS = 3;

/** The family of the benchmark's events, for `subscribe` to decode them into. */
const BenchEvent = defineEvents(
  'BenchEvent',
  { version: '1.0', source: 'events://eventfan.dev/bench' },
  { Ticked: payload<{ n: number; text: string; nested: { ok: boolean; list: number[] } }>() },
);

/** An EventStoreDB to subscribe to: ESDB_CONNECTION_STRING, else the test server in a child. */
export interface EsdbTarget {
  readonly url: string;
  readonly label: string;
  close(): void;
}

/**
 * ESDB_CONNECTION_STRING when set, else the EventStoreDB test server (emulator) in a process of
 * its own, so that its CPU is not billed to the subscriber's.
 */
export async function esdbTarget(): Promise<EsdbTarget> {
  const given = process.env['ESDB_CONNECTION_STRING'];
  if (given) {
    const label = `EventStoreDB/KurrentDB at ${given} (ESDB_CONNECTION_STRING)`;
    return { url: given, label, close: () => {} };
  }
  const server = fileURLToPath(new URL('./subscribe-esdb-server.ts', import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, server], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = (await firstLine(child, 'URL ')).slice(4);
  return {
    url,
    label: `${ESDB_TEST_SERVER_LABEL}, own process — test server (emulator) results, not EventStoreDB`,
    close: () => {
      child.stdin?.end();
      child.kill();
    },
  };
}

/** Seeds EVENTS events, compares and prints the table; the caller prints the headline. */
export async function compareEsdbSubscribe(
  client: EventStoreDBClient,
  label: string,
): Promise<Paired> {
  const prefix = `${AGGREGATE}-`;
  for (let done = 0; done < EVENTS; done += STREAM_LENGTH) {
    await seed(client, `${prefix}${randomUUID()}`);
  }
  const ours = async () => {
    let handled = 0;
    let all: () => void = () => {};
    const finished = new Promise<void>((resolve) => (all = resolve));
    const subscription = subscribe({
      source: esdbSource({
        client,
        checkpoints: new InMemoryCheckpoints(),
        name: `bench-${randomUUID()}`,
        aggregates: [AGGREGATE],
        batchSize: BATCH,
      }),
      events: BenchEvent,
      handler: () => {
        if (++handled === EVENTS) all();
      },
    });
    await finished;
    await subscription.stop();
  };
  const raw = (decode: boolean) => async () => {
    const subscription = client.subscribeToAll(
      { fromPosition: START, filter: streamNameFilter({ prefixes: [prefix] }) },
      { highWaterMark: BATCH },
    );
    let read = 0;
    for await (const resolved of subscription) {
      if (!resolved.event) continue;
      if (decode) toEnvelope(fromEsdbRecord(resolved.event));
      if (++read === EVENTS) break;
    }
    await subscription.unsubscribe();
  };
  const measured = await comparePaired(ours, raw(true), {
    events: EVENTS,
    rounds: ROUNDS,
    warmup: 1,
  });
  const undecoded = await comparePaired(ours, raw(false), {
    events: EVENTS,
    rounds: UNDECODED_ROUNDS,
  });
  const side = (s: Paired['first']) =>
    `${formatRate(s.perSecond)} (best round), client CPU ${s.cpuMicrosPerEvent.toFixed(1)} µs/event`;
  printTable(
    `esdb subscribe (${EVENTS.toLocaleString('en')} events of $all in streams of ${STREAM_LENGTH}, filtered by prefix, decoded to envelopes on both sides; ${ROUNDS} paired rounds after a warm-up) — ${label}`,
    [
      ['subscribe + esdbSource', side(measured.first)],
      ['raw subscribeToAll + fromEsdbRecord', side(measured.second)],
      ['ours / raw', ratio(measured)],
      ['raw subscribeToAll, no decoding', side(undecoded.second)],
      [`vs raw without decoding (${UNDECODED_ROUNDS} rounds)`, ratio(undecoded)],
    ],
  );
  return measured;
}

function ratio(measured: Paired): string {
  return `${measured.ratio.toFixed(2)}× the raw rate (median of rounds; ${measured.overall.toFixed(2)}× over all), ${(measured.first.cpuMicrosPerEvent / measured.second.cpuMicrosPerEvent).toFixed(2)}× the client CPU`;
}

/** Writes STREAM_LENGTH eventfan events with the raw client in one append. */
async function seed(client: EventStoreDBClient, stream: string): Promise<void> {
  const record = envelopeToEsdbRecord({
    id: randomUUID(),
    aggregate: AGGREGATE,
    stream,
    generation: 1,
    type: 'benchevent.ticked',
    version: '1.0',
    source: 'events://eventfan.dev/bench',
    time: new Date().toISOString(),
    data: { n: 1, text: 'a tick of the benchmark', nested: { ok: true, list: [1, 2, 3] } },
    metadata: {
      correlationId: 'bench',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    },
  });
  const batch = Array.from({ length: STREAM_LENGTH }, (_, i) =>
    jsonEvent({
      type: record.type,
      data: { ...(record.data as Record<string, unknown>), n: i + 1 },
      metadata: { ...record.metadata, sequence: toSequence(i + 1) },
    }),
  );
  await client.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
}
