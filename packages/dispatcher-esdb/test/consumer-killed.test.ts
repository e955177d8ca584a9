import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStoreDBClient } from '@eventstore/db-client';
import { commandHandler } from '@eventfan/core';
import { readProjection } from '@eventfan/testing';
import { startEsdbTestServer, type EsdbTestServer } from '@eventfan/testing/esdb-server';
import { esdbEventStore } from '../src/index.js';
import { kill, startChild } from './child.js';
import type { ConsumerSettings } from './children/consumer.child.js';
import { bumper, counterNamed, eachInOrder, freshId, generationsByStream } from './fixtures.js';
import { until } from './source.js';

/*
 * A subscriber (esdbSource + subscribe) in a child process is SIGKILLed three times mid-stream
 * while events are still being written; each time it is started again. The server is the
 * EventStoreDB test server (emulator), in this process: these are test-server (emulator) results.
 */

const STREAMS = 4;
const TOTAL = 2_000;
const KILL_AT = [300, 900, 1_500];

let server: EsdbTestServer;
let dir: string;
beforeAll(async () => {
  server = await startEsdbTestServer();
  dir = await mkdtemp(join(tmpdir(), 'eventfan-consumer-killed-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function start(settings: ConsumerSettings, duplicates: number[]): ChildProcess {
  const child = startChild('consumer.child.ts', settings);
  const life = duplicates.push(0) - 1;
  child.stdout?.on('data', (chunk: Buffer) => {
    const last = /duplicates (\d+)\s*$/.exec(chunk.toString());
    if (last) duplicates[life] = Number(last[1]);
  });
  return child;
}

describe('esdbSource in a process SIGKILLed mid-stream (test server (emulator))', () => {
  it('given 3 kills while events are written, when restarted each time, then every event is handled once, in order per stream', async () => {
    const client = EventStoreDBClient.connectionString(server.url);
    const store = esdbEventStore({ client });
    const aggregate = `killed${freshId()}`;
    const counter = counterNamed(aggregate);
    const write = bumper(commandHandler({ aggregate: counter, store }), STREAMS);
    const settings = {
      url: server.url,
      name: `killed-${freshId()}`,
      aggregate,
      stateFile: join(dir, 'state.json'),
    };
    const handled = () => readProjection<string>(settings.stateFile).handled;
    await write(0, TOTAL / 2);
    const duplicates: number[] = [];
    let child = start(settings, duplicates);
    const writing = write(TOTAL / 2, TOTAL);
    for (const at of KILL_AT) {
      await until(() => handled().length >= at, `${at} handled`, 60_000);
      await kill(child);
      await new Promise((resolve) => setTimeout(resolve, 100));
      child = start(settings, duplicates);
    }
    await writing;
    await until(() => handled().length >= TOTAL, 'every event handled', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await kill(child);
    await until(() => server.openSubscriptions === 0, 'the killed subscriptions closed');
    await store.close();
    await client.dispose();

    const seen = handled();
    console.info(
      `[consumer killed] ${seen.length} of ${TOTAL} handled, ${new Set(seen).size} distinct, lives ${duplicates.length}, duplicates suppressed per life ${duplicates.join('/')}; ${server.label}`,
    );
    expect(duplicates).toHaveLength(4);
    expect(seen).toHaveLength(TOTAL);
    expect(new Set(seen).size).toBe(TOTAL);
    expect(generationsByStream(seen)).toEqual(eachInOrder(STREAMS, TOTAL / STREAMS));
  }, 180_000);
});
