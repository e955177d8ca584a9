import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStoreDBClient } from '@eventstore/db-client';
import { commandHandler, initial } from '@eventfan/core';
import { startEsdbTestServer, type EsdbTestServer } from '@eventfan/testing/esdb-server';
import { esdbEventStore } from '../src/index.js';
import type { ConsumerSettings, ConsumerState } from './children/consumer.child.js';
import { counterNamed, freshId } from './fixtures.js';
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
  const script = fileURLToPath(new URL('./children/consumer.child.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--conditions=@eventfan/source', '--import', 'tsx', script, JSON.stringify(settings)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const life = duplicates.push(0) - 1;
  child.stdout?.on('data', (chunk: Buffer) => {
    const last = /duplicates (\d+)\s*$/.exec(chunk.toString());
    if (last) duplicates[life] = Number(last[1]);
  });
  // A child must not outlive a test run that crashed.
  process.once('exit', () => child.kill('SIGKILL'));
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('esdbSource in a process SIGKILLed mid-stream (test server (emulator))', () => {
  it('given 3 kills while events are written, when restarted each time, then every event is handled once, in order per stream', async () => {
    const client = EventStoreDBClient.connectionString(server.url);
    const store = esdbEventStore({ client });
    const aggregate = `killed${freshId()}`;
    const counter = counterNamed(aggregate);
    const handler = commandHandler({ aggregate: counter, store });
    // Each stream's state carried from one command to the next: no reload per command.
    const states = Array.from({ length: STREAMS }, (_, s) => initial(counter, `s${s}`));
    const write = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const s = i % STREAMS;
        const state = states[s] as (typeof states)[number];
        states[s] = (await handler.handleLoaded(state, { type: 'Bump', by: 1 })).state;
      }
    };
    const settings = {
      url: server.url,
      name: `killed-${freshId()}`,
      aggregate,
      stateFile: join(dir, 'state.json'),
    };
    const handled = () => {
      try {
        return (JSON.parse(readFileSync(settings.stateFile, 'utf8')) as ConsumerState).handled;
      } catch {
        return [];
      }
    };
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
    const perStream = new Map<string, number[]>();
    for (const entry of seen) {
      const [stream, generation] = entry.split('#') as [string, string];
      perStream.set(stream, [...(perStream.get(stream) ?? []), Number(generation)]);
    }
    const each = Array.from({ length: TOTAL / STREAMS }, (_, i) => i + 1);
    console.info(
      `[consumer killed] ${seen.length} of ${TOTAL} handled, ${new Set(seen).size} distinct, lives ${duplicates.length}, duplicates suppressed per life ${duplicates.join('/')}; ${server.label}`,
    );
    expect(duplicates).toHaveLength(4);
    expect(seen).toHaveLength(TOTAL);
    expect(new Set(seen).size).toBe(TOTAL);
    expect([...perStream.values()]).toEqual(Array.from({ length: STREAMS }, () => each));
  }, 180_000);
});
