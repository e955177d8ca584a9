import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Envelope } from '@eventfan/core';
import { readProjection, sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import { describeWithBroker } from '@eventfan/testing/vitest';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testKafka } from './kafka.js';
import { committed, freshTopic, publish, range, until } from './source/support.js';

const STREAMS = 6;
const PER_STREAM = 100;
const TOTAL = STREAMS * PER_STREAM;
const child = fileURLToPath(new URL('./source/projection.ts', import.meta.url));

describeWithBroker('kafka', 'kafkaSource: a projection SIGKILLed mid-stream', (broker) => {
  let kafka: Kafka;
  let producer: Producer;
  let admin: Admin;
  let dir: string;

  beforeAll(async () => {
    kafka = testKafka(broker.url);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    dir = await mkdtemp(join(tmpdir(), 'eventfan-kafka-projection-'));
  });
  afterAll(async () => {
    await Promise.all([producer?.disconnect(), admin?.disconnect()]);
    await rm(dir, { recursive: true, force: true });
  });

  const read = (file: string) => readProjection<string>(file);

  function start(file: string, topic: string, group: string): ChildProcess {
    return spawn(process.execPath, ['--conditions=@eventfan/source', '--import', 'tsx', child], {
      env: {
        ...process.env,
        KAFKA_BROKERS: broker.url,
        TOPIC: topic,
        GROUP: group,
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

  /** Waits for the child's progress, failing at once if it dies by itself. */
  async function progress(process: ChildProcess, file: string, count: number, ms: number) {
    await until(() => {
      if (process.exitCode !== null) throw new Error(`the projection exited (${process.exitCode})`);
      return read(file).handled.length >= count;
    }, ms);
  }

  it('given a consumer killed with SIGKILL mid-stream and started again, then it goes on from its committed offsets: every event handled once, none lost, redeliveries suppressed by the marks', async () => {
    const { topic, groupId } = await freshTopic(kafka, 'kill');
    const streams = await Promise.all(
      range(STREAMS).map(() => sampleEnvelopes(uniqueStream('kill'), PER_STREAM)),
    );
    for (const envelopes of streams) await publish(producer, topic, envelopes);
    const file = join(dir, `${groupId}.json`);

    const first = start(file, topic, groupId);
    await progress(first, file, 150, 30_000);
    first.kill('SIGKILL');
    await exited(first);
    const atKill = read(file).handled.length;
    const committedAtKill = await committed(admin, groupId, topic);
    expect(atKill).toBeLessThan(TOTAL);

    const second = start(file, topic, groupId);
    await progress(second, file, TOTAL, 60_000);
    second.kill('SIGTERM');
    await exited(second);

    const { handled, duplicates } = read(file);
    expect(new Set(handled).size).toBe(handled.length); // nothing handled twice
    expect(handled).toHaveLength(TOTAL); // nothing lost
    const ids = new Set(streams.flat().map((e: Envelope) => e.id));
    expect(handled.every((id) => ids.has(id))).toBe(true);
    expect(await committed(admin, groupId, topic)).toBe(TOTAL);
    // The restart re-read what the killed one handled but had not committed, and dropped it.
    expect(duplicates).toBe(atKill - committedAtKill);
    console.log(
      `[kafkaSource SIGKILL] ${atKill} handled before the kill (${committedAtKill} committed), ${handled.length} in all, ${duplicates} redeliveries suppressed after the restart`,
    );
  }, 120_000);
});
