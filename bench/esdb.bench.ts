/**
 * @eventfan/dispatcher-esdb against the raw client, side by side in one run, on one server:
 * - appends: esdbEventStore.append vs raw `appendToStream` of the same events (1 and 10 per call),
 *   paired rounds (bench/paired.ts);
 * - subscribe: bench/subscribe-esdb.ts — core's `subscribe` on `esdbSource` vs the raw client's
 *   `subscribeToAll` with the same stream-prefix filter, reading the same events (also in
 *   `npm run bench -- subscribe`);
 * - replay: esdbEventStore.read (paged, decoded to envelopes) of a 10k-event stream and of one 10×
 *   longer, each in a fresh reader process, with its peak heap — it must stay flat as the stream
 *   grows; next to it one raw `readStream` of the 10k stream.
 * The server is ESDB_CONNECTION_STRING when set, else the EventStoreDB test server (emulator) in a
 * process of its own (so its memory is not the reader's): then these are test server (emulator)
 * results. Bounded: about a minute on 2 loaded cores.
 * Run: npm run bench -- esdb   (EVENTFAN_BENCH_ESDB_EVENTS sets the short stream's length)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import type { Envelope } from '@eventfan/core';
import { envelopeToEsdbRecord, toSequence } from '@eventfan/cloudevents';
import { ESDB_TEST_SERVER_LABEL, startEsdbTestServer } from '@eventfan/testing/esdb-server';
import { esdbEventStore } from '@eventfan/dispatcher-esdb';
import { firstLine } from './child-line.js';
import { comparePaired, type Paired } from './paired.js';
import { formatRate, heapUsed, printTable } from './report.js';
import { compareEsdbSubscribe } from './subscribe-esdb.js';

const SHORT = Number(process.env['EVENTFAN_BENCH_ESDB_EVENTS'] ?? 10_000);
const LONG = SHORT * 10;
const SEED_BATCH = 1_000;
const LIVE_EVERY = 1_000;
/** Calls per appending run, and the paired rounds of each comparison. */
const CALLS = 300;
const ROUNDS = 5;

const [role, url, stream, mode] = process.argv.slice(2);
if (role === '--serve') await serve();
else if (role === '--replay' && url && stream)
  await replay(url, stream, mode === 'raw' ? 'raw' : 'store');
else await main();

/** The child that hosts the test server until its parent goes away. */
async function serve(): Promise<void> {
  const server = await startEsdbTestServer();
  console.log(`URL ${server.url}`);
  process.stdin.resume();
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
}

/** The child that replays one stream and reports its time and memory as one JSON line. */
async function replay(url: string, stream: string, how: 'store' | 'raw'): Promise<void> {
  const client = EventStoreDBClient.connectionString(url);
  const base = heapUsed();
  let live = 0;
  // What the replay keeps alive: the heap after a full collection, every LIVE_EVERY events.
  const sample = (n: number) => {
    if (n % LIVE_EVERY === 0) live = Math.max(live, heapUsed() - base);
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  let events = 0;
  if (how === 'store') {
    // Counting by generation also checks that the pages join up: no gap, no repeat.
    for await (const page of esdbEventStore({ client }).read(stream)) {
      for (const envelope of page) {
        events = envelope.generation === events + 1 ? events + 1 : -1;
        sample(events);
      }
    }
  } else {
    for await (const resolved of client.readStream(stream)) if (resolved.event) sample(++events);
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await client.dispose();
  const cpuPerEvent = (used.user + used.system) / events;
  console.log(
    JSON.stringify({
      events,
      ms,
      liveHeap: live,
      cpuPerEvent,
      maxRss: process.resourceUsage().maxRSS * 1024,
    }),
  );
}

async function main(): Promise<void> {
  const given = process.env['ESDB_CONNECTION_STRING'];
  const server = given ? undefined : await spawnSelf(['--serve']);
  try {
    const target = given ?? (await firstLine(server as ChildProcess, 'URL ')).slice(4);
    const label = given
      ? `EventStoreDB/KurrentDB at ${given} (ESDB_CONNECTION_STRING)`
      : `${ESDB_TEST_SERVER_LABEL}, own process — test server (emulator) results, not EventStoreDB`;
    const client = EventStoreDBClient.connectionString(target);
    // Appends first, while the server is light: a server holding many events pauses for GC.
    await appends(client, label);
    const subscribed = await compareEsdbSubscribe(client, label);
    console.log(`subscribe esdb: ratio ${subscribed.ratio.toFixed(2)}x (target >= 0.9)`);
    const short = `bench-replay-${randomUUID()}`;
    const long = `bench-replay-${randomUUID()}`;
    const seeding = performance.now();
    await seed(client, short, SHORT);
    await seed(client, long, LONG);
    console.log(
      `seeded ${SHORT + LONG} events in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
    );

    const runs = {
      short: await replayIn(target, short, 'store'),
      long: await replayIn(target, long, 'store'),
      raw: await replayIn(target, short, 'raw'),
    };
    const row = (r: Replayed) =>
      `${Math.round(r.events / (r.ms / 1000)).toLocaleString('en')} events/s, reader CPU ${r.cpuPerEvent.toFixed(1)} µs/event, live heap +${mb(r.liveHeap)}, max RSS ${mb(r.maxRss)}`;
    printTable(`esdb replay (esdbEventStore.read, pages of 500, decoded to envelopes) — ${label}`, [
      [`store.read, ${SHORT.toLocaleString('en')} events`, row(runs.short)],
      [`store.read, ${LONG.toLocaleString('en')} events`, row(runs.long)],
      [`raw readStream, ${SHORT.toLocaleString('en')} events`, row(runs.raw)],
      [
        'live heap, 10× the stream',
        `${(runs.long.liveHeap / runs.short.liveHeap).toFixed(2)}× (flat is ~1×)`,
      ],
      ['max RSS, 10× the stream', `${(runs.long.maxRss / runs.short.maxRss).toFixed(2)}×`],
      [
        'replay esdb: ratio',
        `${(runs.raw.ms / runs.short.ms).toFixed(2)}× the raw rate, ${(runs.short.cpuPerEvent / runs.raw.cpuPerEvent).toFixed(2)}× the reader CPU per event`,
      ],
    ]);
    if (runs.short.events !== SHORT || runs.long.events !== LONG)
      throw new Error(
        `replayed ${runs.short.events} and ${runs.long.events} events, expected ${SHORT} and ${LONG}`,
      );
    await client.dispose();
  } finally {
    server?.stdin?.end();
    server?.kill();
  }
}

/**
 * The store and the raw client appending the same kind of events, each call to a fresh stream,
 * in paired rounds (bench/paired.ts): the two take turns, so load that drifts on a shared machine
 * weighs on both alike; client CPU per event is the figure least moved by other load.
 */
async function appends(client: EventStoreDBClient, label: string): Promise<void> {
  const store = esdbEventStore({ client });
  const rows: [string, string][] = [];
  for (const size of [1, 10]) {
    const calls = (append: (stream: string, batch: Envelope[]) => Promise<unknown>) => async () => {
      for (let i = 0; i < CALLS; i++) {
        const stream = `bench-append-${randomUUID()}`;
        await append(stream, envelopes(stream, 0, size));
      }
    };
    const measured = await comparePaired(
      calls((stream, batch) => store.append(stream, batch, 0)),
      calls((stream, batch) =>
        client.appendToStream(stream, batch.map(rawEvent), { expectedRevision: 'no_stream' }),
      ),
      { events: CALLS * size, rounds: ROUNDS, warmup: 1 },
    );
    rows.push(
      ...sides(`store.append, ${size} per call`, `raw appendToStream, ${size} per call`, measured),
      [`append esdb, ${size} per call: ratio`, ratio(measured)],
    );
  }
  printTable(
    `esdb appends (${ROUNDS} paired rounds of ${CALLS} calls after a warm-up, fresh stream per call) — ${label}`,
    rows,
  );
}

function sides(ours: string, raw: string, measured: Paired): [string, string][] {
  const side = (s: Paired['first']) =>
    `${formatRate(s.perSecond)} (best round), client CPU ${s.cpuMicrosPerEvent.toFixed(1)} µs/event`;
  return [
    [ours, side(measured.first)],
    [raw, side(measured.second)],
  ];
}

function ratio(measured: Paired): string {
  return `${measured.ratio.toFixed(2)}× the raw rate (median of rounds; ${measured.overall.toFixed(2)}× over all), ${(measured.first.cpuMicrosPerEvent / measured.second.cpuMicrosPerEvent).toFixed(2)}× the client CPU`;
}

/** An envelope as the raw client appends it: the same CloudEvent record the store writes. */
function rawEvent(envelope: Envelope) {
  const record = envelopeToEsdbRecord(envelope);
  return jsonEvent({
    id: record.id,
    type: record.type,
    data: record.data as Record<string, unknown>,
    metadata: record.metadata,
  });
}

type Replayed = {
  events: number;
  ms: number;
  liveHeap: number;
  cpuPerEvent: number;
  maxRss: number;
};

async function replayIn(target: string, stream: string, how: 'store' | 'raw'): Promise<Replayed> {
  const child = await spawnSelf(['--replay', target, stream, how]);
  return JSON.parse(await firstLine(child, '{')) as Replayed;
}

/** `count` envelopes of one stream (as core's handler makes them), numbered on from `after`. */
function envelopes(stream: string, after: number, count: number, aggregate = 'bench'): Envelope[] {
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    aggregate,
    stream,
    generation: after + i + 1,
    type: 'benchevent.ticked',
    version: '1.0',
    source: 'events://eventfan.dev/bench',
    time: new Date().toISOString(),
    data: {
      n: after + i + 1,
      text: 'a tick of the benchmark',
      nested: { ok: true, list: [1, 2, 3] },
    },
    metadata: {
      correlationId: 'bench',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    },
  }));
}

/** Writes `count` eventfan events with the raw client, in batches: one CloudEvent mapping reused. */
async function seed(
  client: EventStoreDBClient,
  stream: string,
  count: number,
  aggregate?: string,
): Promise<void> {
  const [template] = envelopes(stream, 0, 1, aggregate) as [Envelope];
  const record = envelopeToEsdbRecord(template);
  for (let done = 0; done < count; done += SEED_BATCH) {
    const batch = Array.from({ length: Math.min(SEED_BATCH, count - done) }, (_, i) =>
      jsonEvent({
        type: record.type,
        data: { ...(record.data as Record<string, unknown>), n: done + i + 1 },
        metadata: { ...record.metadata, sequence: toSequence(done + i + 1) },
      }),
    );
    await client.appendToStream(stream, batch, {
      expectedRevision: done === 0 ? 'no_stream' : BigInt(done - 1),
    });
  }
}

function spawnSelf(args: string[]): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...args],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  return Promise.resolve(child);
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
