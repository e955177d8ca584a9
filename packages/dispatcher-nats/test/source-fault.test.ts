import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readProjection, sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { connect, headers, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureStream, natsPublisher } from '../src/index.js';
import type { Handled } from './child/projection.js';
import { send, uniqueNames } from './support.js';

const STREAMS = 6;
const PER_STREAM = 100;
const child = fileURLToPath(new URL('./child/projection.ts', import.meta.url));

describeWithBroker('nats', 'natsSource: a projection SIGKILLed mid-stream', (broker) => {
  const names = uniqueNames('kill');
  let nc: NatsConnection;
  let dir: string;

  beforeAll(async () => {
    nc = await connect({ servers: broker.url });
    await ensureStream(nc, { name: names.stream, subjects: [`${names.prefix}.ev.>`] });
    await ensureStream(nc, { name: `${names.stream}_DL`, subjects: [`${names.prefix}.dl.>`] });
    dir = await mkdtemp(join(tmpdir(), 'eventfan-projection-'));
  });
  afterAll(async () => {
    await nc?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const read = (file: string) => readProjection<Handled>(file);

  async function until(check: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  function start(file: string, durable: string): ChildProcess {
    return spawn(process.execPath, ['--conditions=@eventfan/source', '--import', 'tsx', child], {
      env: {
        ...process.env,
        NATS_URL: broker.url,
        STREAM: names.stream,
        DURABLE: durable,
        DEAD_LETTERS: `${names.prefix}.dl.${durable}`,
        STATE_FILE: file,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }

  const exited = (process: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (process.exitCode !== null || process.signalCode !== null) resolve();
      else process.once('exit', () => resolve());
    });

  it('given a projection killed with SIGKILL mid-stream and started again, then every event is handled once, in order per stream: none lost, redeliveries suppressed', async () => {
    const publisher = natsPublisher({ connection: nc, headers, prefix: `${names.prefix}.ev` });
    const streams = Array.from({ length: STREAMS }, () => uniqueStream());
    await Promise.all(
      streams.map(async (s) => send(publisher, await sampleEnvelopes(s, PER_STREAM))),
    );
    await publisher.close();
    const file = join(dir, 'projection.json');
    const durable = 'projection';

    const first = start(file, durable);
    await until(() => read(file).handled.length >= 150, 30_000);
    first.kill('SIGKILL');
    await exited(first);
    const atKill = read(file).handled.length;
    expect(atKill).toBeLessThan(STREAMS * PER_STREAM);

    const second = start(file, durable);
    await until(() => read(file).handled.length >= STREAMS * PER_STREAM, 60_000);
    second.kill('SIGTERM');
    await exited(second);

    const { handled } = read(file);
    const keys = handled.map((h) => `${h.stream}#${h.generation}`);
    expect(new Set(keys).size).toBe(keys.length); // nothing handled twice
    expect(handled).toHaveLength(STREAMS * PER_STREAM); // nothing lost
    for (const stream of streams) {
      const generations = handled.filter((h) => h.stream === stream).map((h) => h.generation);
      expect(generations).toEqual(Array.from({ length: PER_STREAM }, (_, i) => i + 1));
    }
    console.log(
      `[natsSource SIGKILL] ${atKill} handled before the kill, ${handled.length} in all, ${read(file).duplicates} redeliveries suppressed after the restart`,
    );
  }, 120_000);
});
